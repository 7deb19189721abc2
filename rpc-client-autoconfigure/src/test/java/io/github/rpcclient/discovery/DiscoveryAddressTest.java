package io.github.rpcclient.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsDiscoveryAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.StartupFailures;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryProperties;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code discovery:///service-id} addresses resolved through Spring Cloud's
 * {@code SimpleDiscoveryClient} ({@code spring.cloud.discovery.client.simple.instances}), against
 * three real Netty backends: round robin over the instances, instances added and removed at
 * runtime, no instances, the refresh after an UNAVAILABLE call, and the start-up report without
 * Spring Cloud.
 */
class DiscoveryAddressTest {

	private static final String SIMPLE = "spring.cloud.discovery.client.simple.instances.";

	private static final List<TestBackend> backends = new ArrayList<>();

	@BeforeAll
	static void startBackends() {
		for (int pod = 1; pod <= 3; pod++) {
			backends.add(TestBackend.start(pod));
		}
	}

	@AfterAll
	static void stopBackends() {
		backends.forEach(TestBackend::close);
	}

	private static TestBackend backend(int pod) {
		return backends.get(pod - 1);
	}

	private static ApplicationContextRunner runner(String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(UtilAutoConfiguration.class,
					SimpleDiscoveryClientAutoConfiguration.class, CompositeDiscoveryClientAutoConfiguration.class,
					GrpcClientsAutoConfiguration.class, GrpcClientsDiscoveryAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=discovery:///echo-svc",
					"grpc-clients.services[0].load-balancing-policy=round_robin",
					"grpc-clients.services[0].retry.enabled=false",
					// only the refreshes under test: heartbeats, failed calls, connection failures
					"grpc-clients.discovery.refresh-interval=1h")
			.withPropertyValues(properties);
	}

	/** Instance 1 with its gRPC port in the metadata (its own port is wrong), instance 2 without. */
	private static String[] twoInstances() {
		return new String[] { SIMPLE + "echo-svc[0].uri=http://127.0.0.1:1",
				SIMPLE + "echo-svc[0].metadata.gRPC_port=" + backend(1).port(),
				SIMPLE + "echo-svc[1].uri=http://" + backend(2).address() };
	}

	@Test
	void roundRobinReachesEveryInstanceAtItsGrpcPort() {
		runner(twoInstances()).run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
			Set<Integer> reached = new HashSet<>();
			await("both instances answer").atMost(Duration.ofSeconds(10)).until(() -> {
				reached.add(echo(stub));
				return reached.size() == 2;
			});
			int[] counts = new int[4];
			for (int i = 0; i < 40; i++) {
				counts[echo(stub)]++;
			}
			assertThat(counts[1]).as("calls to instance 1").isEqualTo(20);
			assertThat(counts[2]).as("calls to instance 2").isEqualTo(20);
		});
	}

	@Test
	void anInstanceAddedAndAHeartbeatPublishedReceivesCallsThenStopsWhenRemoved() {
		runner(twoInstances()).run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
			awaitReached(stub, Set.of(1, 2));
			List<DefaultServiceInstance> instances = new ArrayList<>(instances(context));
			instances.add(instance("3", backend(3)));
			setInstances(context, instances);
			context.publishEvent(new HeartbeatEvent(this, "catalog-1"));
			awaitReached(stub, Set.of(1, 2, 3));

			instances.remove(1);
			setInstances(context, instances);
			context.publishEvent(new HeartbeatEvent(this, "catalog-2"));
			await("instance 2 no longer called").atMost(Duration.ofSeconds(10)).until(() -> {
				Set<Integer> pods = new HashSet<>();
				for (int i = 0; i < 20; i++) {
					pods.add(echo(stub));
				}
				return pods.equals(Set.of(1, 3));
			});
			for (int i = 0; i < 60; i++) {
				assertThat(echo(stub)).as("pod of call %d after the removal", i).isNotEqualTo(2);
			}
		});
	}

	@Test
	void noInstancesFailsCallsAtOnceWithUnavailableNamingTheServiceAndTheDiscoveryClient() {
		runner().run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context).withDeadlineAfter(20, TimeUnit.SECONDS);
			long start = System.nanoTime();
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> echo(stub)).satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
				assertThat(ex.getStatus().getDescription()).contains("No instances of service 'echo-svc'")
					.contains("Simple Discovery Client");
			});
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to fail").isLessThan(Duration.ofSeconds(5));
			// and the first instance registered afterwards is used
			setInstances(context, List.of(instance("1", backend(1))));
			context.publishEvent(new HeartbeatEvent(this, "catalog-1"));
			await("the new instance answers").atMost(Duration.ofSeconds(10)).ignoreExceptions()
				.until(() -> echo(stub) == 1);
		});
	}

	@Test
	void aCallFailingWithUnavailableMakesTheResolverReadTheDiscoveryClientAgain() {
		runner(SIMPLE + "echo-svc[0].uri=http://" + backend(1).address()).run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
			assertThat(echo(stub)).isEqualTo(1);
			// the registry moves the service to pod 2; nothing tells the client
			setInstances(context, List.of(instance("2", backend(2))));
			for (int i = 0; i < 20; i++) {
				assertThat(echo(stub)).as("pod of call %d before any failure", i).isEqualTo(1);
			}
			// pod 1 answers one call UNAVAILABLE on its healthy connection: grpc-java sees no
			// connection failure, so only the interceptor asks for the re-read
			backend(1).service().faultNext("Echo", 1, false, Status.UNAVAILABLE, new Metadata());
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> echo(stub))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
			await("calls reach pod 2").atMost(Duration.ofSeconds(10)).until(() -> echo(stub) == 2);
		});
	}

	@Test
	void theRefreshIntervalPicksUpChangesWithoutAnyEvent() {
		runner(SIMPLE + "echo-svc[0].uri=http://" + backend(1).address())
			.withPropertyValues("grpc-clients.discovery.refresh-interval=1s")
			.run((context) -> {
				EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
				assertThat(echo(stub)).isEqualTo(1);
				setInstances(context, List.of(instance("2", backend(2))));
				await("calls reach pod 2").atMost(Duration.ofSeconds(10)).until(() -> echo(stub) == 2);
			});
	}

	@Test
	void anInvalidRefreshIntervalFailsStartUpNamingTheProperty() {
		runner(twoInstances()).withPropertyValues("grpc-clients.discovery.refresh-interval=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(StartupFailures.analyze(context.getStartupFailure()).getDescription())
				.contains("grpc-clients.discovery.refresh-interval = '0ms': is not a positive duration");
		});
	}

	@Test
	void aSlowDiscoveryClientDoesNotBlockTheChannel() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger reads = new AtomicInteger();
		DiscoveryClient slow = new DiscoveryClient() {

			@Override
			public String description() {
				return "Slow Test Client";
			}

			@Override
			public List<ServiceInstance> getInstances(String serviceId) {
				reads.incrementAndGet();
				try {
					release.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return List.of(instance("1", backend(1)));
			}

			@Override
			public List<String> getServices() {
				return List.of("echo-svc");
			}

		};
		try {
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class,
						GrpcClientsDiscoveryAutoConfiguration.class))
				.withBean(DiscoveryClient.class, () -> slow)
				.withPropertyValues("grpc-clients.services[0].name=echo",
						"grpc-clients.services[0].address=discovery:///echo-svc",
						"grpc-clients.services[0].retry.enabled=false")
				.run((context) -> {
					EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
					ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
					long start = System.nanoTime();
					// the channel's synchronization context stays free while the client is read
					assertThat(registry.connect("echo")).isIn(ConnectivityState.IDLE, ConnectivityState.CONNECTING);
					await("the client is being read").atMost(Duration.ofSeconds(5)).until(() -> reads.get() == 1);
					assertThat(registry.getState("echo")).isIn(ConnectivityState.IDLE, ConnectivityState.CONNECTING);
					assertThatExceptionOfType(StatusRuntimeException.class)
						.isThrownBy(() -> echo(stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS)))
						.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
					assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
					release.countDown();
					await("the instance answers").atMost(Duration.ofSeconds(10)).ignoreExceptions()
						.until(() -> echo(stub) == 1);
				});
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void withoutSpringCloudADiscoveryAddressFailsStartUpNamingTheProperty() {
		ApplicationContextRunner withoutSpringCloud = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class,
					GrpcClientsDiscoveryAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.cloud"))
			.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=127.0.0.1:1");
		withoutSpringCloud.run((context) -> assertThat(context).hasNotFailed()
			.hasSingleBean(ManagedChannelRegistry.class)
			.doesNotHaveBean(DiscoveryNameResolverProvider.class));
		withoutSpringCloud
			.withPropertyValues("grpc-clients.services[1].name=books", "grpc-clients.services[1].address=discovery:///books")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("grpc-clients.services[1].address = 'discovery:///books'")
					.contains("no Spring Cloud DiscoveryClient");
				assertThat(analysis.getAction()).contains("grpc-clients.services[1].address")
					.contains("spring-cloud-commons");
			});
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return EchoServiceGrpc.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"))
			.withDeadlineAfter(10, TimeUnit.SECONDS);
	}

	private static int echo(EchoServiceGrpc.EchoServiceBlockingStub stub) {
		return stub.echo(EchoRequest.newBuilder().setMessage("where").build()).getPod();
	}

	private static void awaitReached(EchoServiceGrpc.EchoServiceBlockingStub stub, Set<Integer> pods) {
		Set<Integer> reached = new HashSet<>();
		await("calls reach " + pods).atMost(Duration.ofSeconds(10)).until(() -> {
			reached.add(echo(stub));
			return reached.containsAll(pods);
		});
	}

	private static DefaultServiceInstance instance(String id, TestBackend backend) {
		return new DefaultServiceInstance(id, "echo-svc", "127.0.0.1", backend.port(), false, Map.of());
	}

	private static List<DefaultServiceInstance> instances(AssertableApplicationContext context) {
		return context.getBean(SimpleDiscoveryProperties.class).getInstances().get("echo-svc");
	}

	/** What a registry change does to the simple client's properties. */
	private static void setInstances(AssertableApplicationContext context, List<DefaultServiceInstance> instances) {
		SimpleDiscoveryProperties properties = context.getBean(SimpleDiscoveryProperties.class);
		Map<String, List<DefaultServiceInstance>> all = new HashMap<>(properties.getInstances());
		all.put("echo-svc", List.copyOf(instances));
		properties.setInstances(all);
	}

}
