package io.github.rpcclient.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsDiscoveryAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryProperties;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A stateful service at {@code discovery:///service-id} with no static {@code pods[]}: its pods
 * are the instances whose metadata carries {@code pod-index}, kept up to date on
 * {@code HeartbeatEvent}s; users are pinned to them through a real Redis and real backends.
 */
class DiscoveredPodsTest {

	private static final String SIMPLE = "spring.cloud.discovery.client.simple.instances.";

	private static EmbeddedRedis redis;

	private static final List<TestBackend> backends = new ArrayList<>();

	@BeforeAll
	static void start() {
		redis = EmbeddedRedis.start();
		for (int pod = 1; pod <= 3; pod++) {
			backends.add(TestBackend.start(pod));
		}
	}

	@AfterAll
	static void stop() {
		backends.forEach(TestBackend::close);
		redis.close();
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(UtilAutoConfiguration.class,
					SimpleDiscoveryClientAutoConfiguration.class, CompositeDiscoveryClientAutoConfiguration.class,
					RedisAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
					GrpcClientsRoutingAutoConfiguration.class, GrpcClientsDiscoveryAutoConfiguration.class))
			.withPropertyValues(redis.springProperties())
			.withPropertyValues("grpc-clients.routing.namespace=discovered", "grpc-clients.routing.command-timeout=500ms",
					"grpc-clients.services[0].name=session", "grpc-clients.services[0].stateful=true",
					"grpc-clients.services[0].address=discovery:///session-svc",
					"grpc-clients.discovery.refresh-interval=1h", "grpc-clients.services[0].retry.enabled=false",
					// pod 1: its gRPC port in the metadata; pod 2: its own port; an instance without
					// a pod index is skipped
					SIMPLE + "session-svc[0].uri=http://127.0.0.1:1",
					SIMPLE + "session-svc[0].metadata.gRPC_port=" + backends.get(0).port(),
					SIMPLE + "session-svc[0].metadata.pod-index=1",
					SIMPLE + "session-svc[1].uri=http://" + backends.get(1).address(),
					SIMPLE + "session-svc[1].metadata.grpc.pod-index=2",
					SIMPLE + "session-svc[2].uri=http://" + backends.get(2).address());
	}

	@Test
	void podsComeFromDiscoveryAndFollowItsChanges() {
		runner().run((context) -> {
			assertThat(context).hasNotFailed();
			PodRegistry registry = context.getBean(PodRegistry.class);
			assertThat(registry.pods("discovered", "session")).containsOnlyKeys(1, 2);
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
			Map<String, Integer> homes = new HashMap<>();
			for (int i = 0; i < 20; i++) {
				String uid = "user-" + i;
				homes.put(uid, call(stub, uid));
			}
			assertThat(homes.values()).containsOnly(1, 2).contains(1, 2);
			homes.forEach((uid, pod) -> assertThat(call(stub, uid)).as("pod of %s again", uid).isEqualTo(pod));

			// pod 3 registers: new users can be linked to it after one heartbeat
			List<DefaultServiceInstance> instances = new ArrayList<>(instances(context));
			instances.add(new DefaultServiceInstance("s-3", "session-svc", "127.0.0.1", backends.get(2).port(), false,
					Map.of("pod-index", "3")));
			setInstances(context, instances);
			context.publishEvent(new HeartbeatEvent(this, "catalog-1"));
			await("pod 3 in the registry").atMost(Duration.ofSeconds(10))
				.until(() -> registry.pods("discovered", "session").containsKey(3));
			int[] next = { 100 };
			await("a new user on pod 3").atMost(Duration.ofSeconds(10))
				.until(() -> call(stub, "user-" + next[0]++) == 3);

			// pod 1 leaves: its users move to live pods, the others stay
			instances.removeIf((instance) -> "1".equals(instance.getMetadata().get("pod-index")));
			setInstances(context, instances);
			context.publishEvent(new HeartbeatEvent(this, "catalog-2"));
			await("pod 1 out of the registry").atMost(Duration.ofSeconds(10))
				.until(() -> !registry.pods("discovered", "session").containsKey(1));
			homes.forEach((uid, pod) -> {
				int now = call(stub, uid);
				if (pod == 1) {
					assertThat(now).as("new pod of %s", uid).isIn(2, 3);
				}
				else {
					assertThat(now).as("pod of %s", uid).isEqualTo(pod);
				}
			});

			// pod 2 leaves discovery and nothing says so; a pinned call that pod 2 answers
			// UNAVAILABLE makes the client re-read its pods
			instances.removeIf((instance) -> "2".equals(instance.getMetadata().get("grpc.pod-index")));
			setInstances(context, instances);
			String onPod2 = homes.entrySet().stream().filter((home) -> home.getValue() == 2).findFirst().orElseThrow().getKey();
			backends.get(1).service().faultNext("Echo", 1, false, Status.UNAVAILABLE, new Metadata());
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> call(stub, onPod2));
			await("pod 2 out of the registry").atMost(Duration.ofSeconds(10))
				.until(() -> !registry.pods("discovered", "session").containsKey(2));
			assertThat(call(stub, onPod2)).as("new pod of %s", onPod2).isEqualTo(3);
		});
	}

	private static int call(EchoServiceGrpc.EchoServiceBlockingStub stub, String uid) {
		return stub.withOption(StatefulRouting.UID, uid).echo(EchoRequest.newBuilder().setMessage(uid).build()).getPod();
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(AssertableApplicationContext context) {
		return EchoServiceGrpc.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("session"))
			.withDeadlineAfter(10, TimeUnit.SECONDS);
	}

	private static List<DefaultServiceInstance> instances(AssertableApplicationContext context) {
		return context.getBean(SimpleDiscoveryProperties.class).getInstances().get("session-svc");
	}

	private static void setInstances(AssertableApplicationContext context, List<DefaultServiceInstance> instances) {
		SimpleDiscoveryProperties properties = context.getBean(SimpleDiscoveryProperties.class);
		Map<String, List<DefaultServiceInstance>> all = new HashMap<>(properties.getInstances());
		all.put("session-svc", List.copyOf(instances));
		properties.setInstances(all);
	}

}
