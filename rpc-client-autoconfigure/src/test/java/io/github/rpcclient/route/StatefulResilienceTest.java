package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsResilienceAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration;
import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Stateful routing and resilience together: breakers are per pod, a dead pod's breaker opens
 * without touching the users of other pods, and a pod that leaves the registry takes its breaker
 * with it.
 */
class StatefulResilienceTest {

	private static final String NS = RoutingFixture.NS;

	private EmbeddedRedis redis;

	private RoutingFixture pods;

	private final List<TestBackend> backends = new ArrayList<>();

	private final List<PodHeartbeatPublisher> publishers = new ArrayList<>();

	@BeforeEach
	void start() {
		this.redis = EmbeddedRedis.start();
		this.pods = new RoutingFixture(this.redis, (properties) -> {
			properties.setHeartbeatTtl(Duration.ofMillis(600));
			properties.setPodRemovalAfter(Duration.ofMillis(600));
		});
		for (int index = 1; index <= 2; index++) {
			TestBackend backend = TestBackend.start(index);
			this.backends.add(backend);
			PodHeartbeatPublisher publisher = this.pods.publish("session", index, 0, backend.address());
			publisher.start();
			this.publishers.add(publisher);
		}
	}

	@AfterEach
	void stop() {
		this.pods.close();
		this.backends.forEach(TestBackend::close);
		this.redis.close();
	}

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
					GrpcClientsRoutingAutoConfiguration.class, GrpcClientsResilienceAutoConfiguration.class))
			.withPropertyValues(this.redis.springProperties())
			.withPropertyValues("grpc-clients.routing.namespace=" + NS, "grpc-clients.routing.registry-refresh=100ms",
					"grpc-clients.routing.heartbeat-ttl=600ms", "grpc-clients.routing.command-timeout=500ms",
					"grpc-clients.services[0].name=session", "grpc-clients.services[0].stateful=true",
					"grpc-clients.services[0].retry.enabled=false",
					"grpc-clients.services[0].circuit-breaker.minimum-number-of-calls=3",
					"grpc-clients.services[0].circuit-breaker.sliding-window-size=3",
					"grpc-clients.services[0].circuit-breaker.wait-duration-in-open-state=1m")
			.withBean(SessionClient.class);
	}

	@Test
	void aDeadPodOpensOnlyItsOwnBreakerAndItsBreakerLeavesWithIt() {
		runner().run((context) -> {
			SessionClient client = context.getBean(SessionClient.class);
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
			String onOne = userOn(client, 1);
			String onTwo = userOn(client, 2);
			assertThat(breakers.getAllCircuitBreakers().stream().map(CircuitBreaker::getName))
				.contains("session#1", "session#2")
				.doesNotContain("session");

			this.backends.get(0).stop();
			for (int i = 0; i < 3; i++) {
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> client.call(onOne))
					.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
			}
			assertThat(breakers.circuitBreaker("session#1").getState()).isEqualTo(CircuitBreaker.State.OPEN);
			assertThat(breakers.circuitBreaker("session#2").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			assertThat(client.call(onTwo)).as("users of the live pod are unaffected").isEqualTo(2);

			this.publishers.get(0).halt();
			await("pod 1 leaves the registry and its breaker goes").atMost(Duration.ofSeconds(10))
				.until(() -> breakers.getAllCircuitBreakers().stream().noneMatch((b) -> b.getName().equals("session#1")));
			assertThat(client.call(onOne)).as("the dead pod's user moved to the live pod").isEqualTo(2);
		});
	}

	private static String userOn(SessionClient client, int pod) {
		for (int i = 0; i < 200; i++) {
			String uid = "user-" + pod + "-" + i;
			if (client.call(uid) == pod) {
				return uid;
			}
		}
		throw new AssertionError("No user was linked to pod " + pod + " in 200 tries");
	}

	static class SessionClient {

		@GrpcClient("session")
		EchoServiceGrpc.EchoServiceBlockingStub stub;

		int call(String uid) {
			return this.stub.withOption(StatefulRouting.UID, uid)
				.echo(EchoRequest.newBuilder().setMessage(uid).build())
				.getPod();
		}

	}

}
