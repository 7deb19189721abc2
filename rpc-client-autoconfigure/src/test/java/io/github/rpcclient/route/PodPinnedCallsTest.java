package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration;
import io.github.rpcclient.settings.GrpcClientStartupException;
import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Calls through injected stubs of a stateful service reach the pod the driver links their user to;
 * three real backend pods echo their index.
 */
class PodPinnedCallsTest {

	private static final String NS = RoutingFixture.NS;

	private static EmbeddedRedis redis;

	private static RoutingFixture pods;

	private static final List<TestBackend> backends = new ArrayList<>();

	@BeforeAll
	static void start() {
		redis = EmbeddedRedis.start();
		pods = new RoutingFixture(redis, (properties) -> properties.setHeartbeatTtl(Duration.ofSeconds(1)));
		for (int index = 1; index <= 3; index++) {
			TestBackend backend = TestBackend.start(index);
			backends.add(backend);
			pods.publish("session", index, 0, backend.address()).start();
		}
	}

	@AfterAll
	static void stop() {
		pods.close();
		backends.forEach(TestBackend::close);
		redis.close();
	}

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
					GrpcClientsRoutingAutoConfiguration.class))
			.withPropertyValues(redis.springProperties())
			.withPropertyValues("grpc-clients.routing.namespace=" + NS, "grpc-clients.routing.registry-refresh=200ms",
					"grpc-clients.routing.command-timeout=500ms", "grpc-clients.services[0].name=session",
					"grpc-clients.services[0].stateful=true")
			.withBean(SessionClients.class);
	}

	@Test
	void callsOfManyUsersReachTheirLinkedPodConcurrently() {
		runner().run((context) -> {
			SessionClients clients = context.getBean(SessionClients.class);
			StatefulRouteDriver driver = context.getBean(StatefulRouteDriver.class);
			Map<String, Set<Integer>> reached = new ConcurrentHashMap<>();
			ExecutorService pool = Executors.newFixedThreadPool(8);
			try {
				List<Future<?>> runs = new ArrayList<>();
				for (int t = 0; t < 8; t++) {
					runs.add(pool.submit(() -> {
						for (int i = 0; i < 150; i++) {
							String uid = "user-" + i;
							int pod = clients.blocking.withOption(StatefulRouting.UID, uid)
								.echo(EchoRequest.newBuilder().setMessage(uid).build())
								.getPod();
							reached.computeIfAbsent(uid, (key) -> ConcurrentHashMap.newKeySet()).add(pod);
						}
					}));
				}
				for (Future<?> run : runs) {
					run.get(30, TimeUnit.SECONDS);
				}
			}
			finally {
				pool.shutdownNow();
			}
			Set<Integer> used = ConcurrentHashMap.newKeySet();
			reached.forEach((uid, reachedPods) -> {
				assertThat(reachedPods).as("pods reached by %s", uid).hasSize(1);
				assertThat(driver.getLinkedPodNotCache(NS, uid, "session")).as("link of %s", uid)
					.hasValue(reachedPods.iterator().next());
				used.addAll(reachedPods);
			});
			assertThat(reached).hasSize(150);
			assertThat(used).containsExactlyInAnyOrder(1, 2, 3);
		});
	}

	@Test
	void theUserCanBeNamedInTheGrpcContext() {
		runner().run((context) -> {
			SessionClients clients = context.getBean(SessionClients.class);
			StatefulRouteDriver driver = context.getBean(StatefulRouteDriver.class);
			int pod = StatefulRouting.callAs("context-user",
					() -> clients.blocking.echo(EchoRequest.newBuilder().setMessage("hi").build()).getPod());
			assertThat(driver.getLinkedPod(NS, "context-user", "session")).hasValue(pod);
		});
	}

	@Test
	void aCallWithoutAUserFailsWithFailedPreconditionSayingHowToNameOne() {
		runner().run((context) -> {
			SessionClients clients = context.getBean(SessionClients.class);
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> clients.blocking.echo(EchoRequest.newBuilder().setMessage("hi").build()))
				.satisfies((ex) -> {
					assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
					assertThat(ex.getStatus().getDescription()).contains("stateful service 'session'")
						.contains("withOption(StatefulRouting.UID, uid)")
						.contains("StatefulRouting.runAs(uid");
				});
		});
	}

	@Test
	void killingAPodMovesItsUsers() {
		TestBackend doomed = TestBackend.start(4);
		PodHeartbeatPublisher doomedPod = pods.publish("session", 4, -1, doomed.address());
		doomedPod.start();
		runner().run((context) -> {
			SessionClients clients = context.getBean(SessionClients.class);
			StatefulRouteDriver driver = context.getBean(StatefulRouteDriver.class);
			EchoServiceGrpc.EchoServiceBlockingStub user = clients.blocking.withOption(StatefulRouting.UID, "mover");
			EchoRequest request = EchoRequest.newBuilder().setMessage("hi").build();
			assertThat(user.echo(request).getPod()).as("the least loaded pod").isEqualTo(4);

			doomed.stop();
			doomedPod.halt();
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> user.echo(request))
				.extracting((ex) -> ex.getStatus().getCode())
				.isEqualTo(Status.Code.UNAVAILABLE);
			int moved = await("the user to move to a live pod").atMost(Duration.ofSeconds(10))
				.ignoreException(StatusRuntimeException.class)
				.until(() -> user.echo(request).getPod(), (pod) -> pod != 4);
			assertThat(moved).isBetween(1, 3);
			assertThat(driver.getLinkedPodNotCache(NS, "mover", "session")).hasValue(moved);
		});
	}

	@Test
	void aStatefulServiceWithoutRedisFailsStartUpWithAnExplanation() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class,
				GrpcClientsRoutingAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=session", "grpc-clients.services[0].stateful=true")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(GrpcClientStartupException.class)
					.hasMessageContaining("gRPC service 'session' is stateful")
					.hasMessageContaining("spring-boot-starter-data-redis");
			});
	}

	@Test
	void statelessServicesNeedNoRedisAndGetNoRouting() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class,
				GrpcClientsRoutingAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=plain",
					"grpc-clients.services[0].address=" + backends.get(0).address())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(StatefulRouteDriver.class);
			});
	}

	@Test
	void aBackendPublishesItselfAndDrainsOnShutdown() {
		runner().withPropertyValues("grpc-clients.routing.publish.enabled=true",
				"grpc-clients.routing.publish.service=session", "grpc-clients.routing.publish.index=9",
				"grpc-clients.routing.publish.address=127.0.0.1:19")
			.run((context) -> {
				assertThat(context).hasSingleBean(PodHeartbeatPublisher.class);
				await("pod 9 to be published").atMost(Duration.ofSeconds(5)).until(() -> {
					pods.registry.refresh();
					return pods.registry.stateOf(NS, "session", 9) == PodState.ROUTABLE;
				});
			});
		pods.registry.refresh();
		assertThat(pods.registry.stateOf(NS, "session", 9)).isEqualTo(PodState.DRAINING);
	}

	static class SessionClients {

		@GrpcClient("session")
		EchoServiceGrpc.EchoServiceBlockingStub blocking;

	}

}
