package io.github.rpcclient.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsProxyAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration;
import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.proxy.RouterBackend.Login;
import io.github.rpcclient.proxy.RouterBackend.LoginReply;
import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;
import io.github.rpcclient.proxy.wire.RouterServiceGrpc;
import io.github.rpcclient.route.PodHeartbeatPublisher;
import io.github.rpcclient.route.PodState;
import io.github.rpcclient.route.RouteStore;
import io.github.rpcclient.route.StatefulRouteDriver;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.settings.RoutingSettingsFactory;
import io.github.rpcclient.test.EmbeddedRedis;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * RpcProxy calls to stateful targets: one multiplexed {@code StreamCall} per pod, real routers on
 * loopback, a real Redis. Service {@code solo} has one static pod; {@code game} has pods that
 * publish themselves with heartbeats.
 */
class RpcProxyStatefulTest {

	private static final String NS = "proxy-ns";

	private static EmbeddedRedis redis;

	private static LettuceConnectionFactory publisherConnections;

	private static RouteStore publisherStore;

	private RouterBackend solo;

	private final List<RouterBackend> backends = new ArrayList<>();

	private final List<PodHeartbeatPublisher> publishers = new ArrayList<>();

	@BeforeAll
	static void startRedis() {
		redis = EmbeddedRedis.start();
		publisherConnections = redis.newConnectionFactory();
		publisherStore = new RouteStore(publisherConnections, Duration.ofSeconds(1));
	}

	@AfterAll
	static void stopRedis() {
		publisherConnections.destroy();
		redis.close();
	}

	@AfterEach
	void stopBackends() {
		this.publishers.forEach(PodHeartbeatPublisher::stop);
		this.backends.forEach(RouterBackend::close);
		redis.run((commands) -> commands.flushall());
	}

	private RouterBackend backend(int pod) {
		RouterBackend backend = RouterBackend.start(pod);
		this.backends.add(backend);
		return backend;
	}

	/** Starts a router as pod {@code index} of 'game', publishing itself every 200 ms. */
	private PodHeartbeatPublisher gamePod(RouterBackend backend) {
		RoutingProperties pod = new RoutingProperties();
		pod.setNamespace(NS);
		pod.setHeartbeatTtl(Duration.ofSeconds(1));
		pod.getPublish().setEnabled(true);
		pod.getPublish().setService("game");
		pod.getPublish().setIndex(backend.pod());
		pod.getPublish().setAddress(backend.address());
		pod.getPublish().setInterval(Duration.ofMillis(200));
		PodHeartbeatPublisher publisher = new PodHeartbeatPublisher(publisherStore, RoutingSettingsFactory.resolve(pod),
				() -> 0);
		publisher.publish();
		publisher.start();
		this.publishers.add(publisher);
		return publisher;
	}

	private ApplicationContextRunner runner() {
		this.solo = backend(1);
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, RedisAutoConfiguration.class,
					GrpcClientsAutoConfiguration.class, GrpcClientsRoutingAutoConfiguration.class,
					GrpcClientsProxyAutoConfiguration.class))
			.withPropertyValues(redis.springProperties())
			.withPropertyValues("grpc-clients.routing.namespace=" + NS, "grpc-clients.routing.registry-refresh=200ms",
					"grpc-clients.routing.heartbeat-ttl=1s", "grpc-clients.defaults.proxy.reconnect-backoff=50ms",
					"grpc-clients.defaults.proxy.max-reconnect-backoff=200ms", "grpc-clients.services[0].name=solo",
					"grpc-clients.services[0].stateful=true", "grpc-clients.services[0].pods[0].index=1",
					"grpc-clients.services[0].pods[0].address=" + this.solo.address(),
					"grpc-clients.services[1].name=game", "grpc-clients.services[1].stateful=true");
	}

	private static RpcProxy proxy(ConfigurableApplicationContext context, String service) {
		return context.getBean(RpcProxyFactory.class).proxy(service);
	}

	@Test
	void bytesAndJsonRoundTripOverOneStreamTypedJsonIncluded() {
		runner().run((context) -> {
			RpcProxy proxy = proxy(context, "solo");
			assertThat(proxy.isStateful()).isTrue();
			RpcProxy alice = proxy.forUser("alice");
			assertThat(alice.call("echo", RpcContent.bytes(new byte[] { 1, 2 }, new byte[] { 3 })).bytes())
				.containsExactly(new byte[] { 1, 2 }, new byte[] { 3 });
			assertThat(alice.call("echo", RpcContent.json("[1,2]")).json()).isEqualTo("[1,2]");
			assertThat(alice.call("login", RpcContent.json(new Login("alice", "pw"))).as(LoginReply.class))
				.isEqualTo(new LoginReply("alice", 1, "token-alice"));
			assertThat(StatefulRouting.callAs("bob", () -> proxy.call("whoami", RpcContent.empty()).as(Map.class)))
				.containsEntry("user", "bob")
				.containsEntry("pod", 1);
			assertThat(alice.callAsync("echo", RpcContent.json("3")).get().json()).isEqualTo("3");
			assertThat(this.solo.router.openStreams()).as("streams on the pod").isEqualTo(1);
			assertThat(proxy.openStreams()).isEqualTo(1);
			assertThat(this.solo.calls.get()).as("gRPC calls the pod received").isEqualTo(1);
		});
	}

	@Test
	void errorsOfStatefulCalls() {
		runner().withPropertyValues("grpc-clients.services[0].timeout=300ms").run((context) -> {
			RpcProxy proxy = proxy(context, "solo");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> proxy.call("echo", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.USER_REQUIRED))
				.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
				.withMessageContaining("Calls to stateful service 'solo' must name their user");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> proxy.forUser(" "))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.USER_REQUIRED));
			RpcProxy carol = proxy.forUser("carol");
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> carol.call("login", RpcContent.json(new Login("carol", "wrong"))))
				.satisfies((ex) -> assertThat(ex.handlerCode()).isEqualTo("BAD_PASSWORD"))
				.withMessageContaining("wrong password for carol");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> carol.call("nope", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.handlerCode()).isEqualTo("UNKNOWN_MESSAGE_ID"));
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> carol.call("", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.INVALID_MESSAGE_ID));
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> carol.call("stall", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED))
				.withMessageContaining("no response within 300ms");
			assertThat(carol.call("echo", RpcContent.json("\"still fine\"")).json()).isEqualTo("\"still fine\"");
		});
	}

	@Test
	void twoHundredCallersTimesFiftyCallsShareOnePodStreamAndOverlap() {
		runner().run((context) -> {
			RpcProxy proxy = proxy(context, "solo");
			int callers = 200;
			int calls = 50;
			ExecutorService pool = Executors.newFixedThreadPool(callers);
			try {
				// link every user first, so the figure is the calls' alone
				for (int caller = 0; caller < callers; caller++) {
					proxy.forUser("user-" + caller).call("echo", RpcContent.empty());
				}
				AtomicInteger mismatches = new AtomicInteger();
				long start = System.nanoTime();
				List<Future<?>> done = new ArrayList<>();
				for (int caller = 0; caller < callers; caller++) {
					RpcProxy user = proxy.forUser("user-" + caller);
					int id = caller;
					done.add(pool.submit(() -> {
						for (int call = 0; call < calls; call++) {
							String sent = "\"caller " + id + " call " + call + "\"";
							if (!user.call("slow", RpcContent.json(sent), Duration.ofSeconds(60)).json().equals(sent)) {
								mismatches.incrementAndGet();
							}
						}
						return null;
					}));
				}
				for (Future<?> future : done) {
					future.get(120, TimeUnit.SECONDS);
				}
				Duration took = Duration.ofNanos(System.nanoTime() - start);
				System.out.printf("RpcProxy stream: %d callers x %d calls, 50 ms each on the server: %d ms (serialised: %d s)%n",
						callers, calls, took.toMillis(), callers * calls * 50 / 1000);
				assertThat(mismatches.get()).as("responses lost or swapped").isZero();
				assertThat(took).as("10,000 calls of 50 ms; one at a time would take 500 s").isLessThan(Duration.ofSeconds(60));
				assertThat(this.solo.router.openStreams()).as("streams on the pod").isEqualTo(1);
				assertThat(this.solo.calls.get()).as("gRPC calls the pod received").isEqualTo(1);
			}
			finally {
				pool.shutdownNow();
			}
		});
	}

	@Test
	void aRequestTheServerIgnoresTimesOutAloneTheOthersComplete() {
		runner().run((context) -> {
			RpcProxy dave = proxy(context, "solo").forUser("dave");
			CompletableFuture<RpcContent> ignored = dave.callAsync("ignore", RpcContent.json("\"ignore me\""),
					Duration.ofMillis(500));
			List<CompletableFuture<RpcContent>> others = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				others.add(dave.callAsync("ignore", RpcContent.json(Integer.toString(i)), Duration.ofSeconds(10)));
			}
			for (int i = 0; i < 20; i++) {
				assertThat(others.get(i).get(10, TimeUnit.SECONDS).json()).isEqualTo(Integer.toString(i));
			}
			assertThat(ignored).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(RpcProxyException.class,
						(ex) -> assertThat(ex.statusCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED))
				.withMessageContaining("no response within 500ms (the other calls on the stream go on)");
			assertThat(dave.call("echo", RpcContent.json("1")).json()).isEqualTo("1");
			assertThat(this.solo.router.openStreams()).isEqualTo(1);
		});
	}

	@Test
	void aKilledServerFailsPendingCallsWithUnavailableAtOnceAndTheNextCallOpensANewStream() {
		runner().run((context) -> {
			RpcProxy erin = proxy(context, "solo").forUser("erin");
			List<CompletableFuture<RpcContent>> pending = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				pending.add(erin.callAsync("stall", RpcContent.empty(), Duration.ofSeconds(60)));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> this.solo.unanswered.get() == 50);
			long killed = System.nanoTime();
			this.solo.kill();
			for (CompletableFuture<RpcContent> call : pending) {
				assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> call.get(5, TimeUnit.SECONDS))
					.havingCause()
					.isInstanceOfSatisfying(RpcProxyException.class,
							(ex) -> assertThat(ex.statusCode()).isEqualTo(Status.Code.UNAVAILABLE));
			}
			Duration failedWithin = Duration.ofNanos(System.nanoTime() - killed);
			System.out.printf("RpcProxy stream: 50 pending calls failed UNAVAILABLE %d ms after the kill%n",
					failedWithin.toMillis());
			assertThat(failedWithin).isLessThan(Duration.ofSeconds(1));
			this.solo.restart();
			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
				.until(() -> erin.call("echo", RpcContent.json("\"back\"")).json().equals("\"back\""));
			assertThat(this.solo.router.openStreams()).as("streams on the restarted pod").isEqualTo(1);
		});
	}

	@Test
	void callsBeyondThePendingCapFailFastAndHeapStaysBoundedUnderAStalledServer() throws Exception {
		AtomicInteger streams = new AtomicInteger();
		RouterBackend stalled = RouterBackend.start(new RouterServiceGrpc.RouterServiceImplBase() {

			@Override
			public StreamObserver<CallRequest> streamCall(StreamObserver<CallResponse> responses) {
				// reads nothing: the client's sends fill the window and stop being ready
				((ServerCallStreamObserver<CallResponse>) responses).disableAutoRequest();
				streams.incrementAndGet();
				return new StreamObserver<>() {

					@Override
					public void onNext(CallRequest value) {
					}

					@Override
					public void onError(Throwable t) {
					}

					@Override
					public void onCompleted() {
					}

				};
			}

		});
		this.backends.add(stalled);
		runner().withPropertyValues("grpc-clients.services[2].name=stalled", "grpc-clients.services[2].stateful=true",
				"grpc-clients.services[2].pods[0].index=1", "grpc-clients.services[2].pods[0].address=" + stalled.address(),
				"grpc-clients.services[2].proxy.max-pending-calls=200")
			.run((context) -> {
				RpcProxy frank = proxy(context, "stalled").forUser("frank");
				byte[] payload = new byte[10 * 1024];
				long before = usedHeap();
				List<CompletableFuture<RpcContent>> admitted = new ArrayList<>();
				AtomicInteger exhausted = new AtomicInteger();
				AtomicInteger other = new AtomicInteger();
				long[] mid = new long[1];
				long start = System.nanoTime();
				for (int i = 0; i < 2000; i++) {
					CompletableFuture<RpcContent> call = frank.callAsync("echo", RpcContent.bytes(payload),
							Duration.ofSeconds(60));
					if (i < 200) {
						admitted.add(call);
						if (i == 199) {
							await().atMost(Duration.ofSeconds(5)).until(() -> frank.openStreams() == 1);
							mid[0] = usedHeap();
						}
					}
					else {
						// keep no reference: only what the proxy holds stays on the heap
						call.whenComplete((content, failure) -> {
							if (failure instanceof RpcProxyException ex && ex.statusCode() == Status.Code.RESOURCE_EXHAUSTED
									&& ex.getMessage().contains("200 calls are pending on the stream (proxy.max-pending-calls)")) {
								exhausted.incrementAndGet();
							}
							else {
								other.incrementAndGet();
							}
						});
					}
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> exhausted.get() + other.get() == 1800);
				Duration failedWithin = Duration.ofNanos(System.nanoTime() - start);
				long after = usedHeap();
				assertThat(exhausted.get()).isEqualTo(1800);
				assertThat(admitted).allSatisfy((call) -> assertThat(call).isNotDone());
				long pendingKb = (mid[0] - before) / 1024;
				long beyondKb = (after - mid[0]) / 1024;
				System.out.printf("RpcProxy stream, stalled server, cap 200: 2,000 calls of 10 KB -> 1,800 RESOURCE_EXHAUSTED "
						+ "within %d ms; heap +%d KB for the stream and its 200 pending calls, %+d KB for the 1,800 "
						+ "beyond the cap (unbounded would hold ~18,000 KB more)%n", failedWithin.toMillis(), pendingKb,
						beyondKb);
				assertThat(pendingKb).as("heap growth for the stream and 200 pending calls, KB").isLessThan(20 * 1024);
				assertThat(beyondKb).as("heap growth for the 1,800 calls beyond the cap, KB").isLessThan(4 * 1024);
				assertThat(streams.get()).isEqualTo(1);
				frank.close();
				assertThat(admitted.get(0)).failsWithin(Duration.ofSeconds(5))
					.withThrowableThat()
					.havingCause()
					.isInstanceOfSatisfying(RpcProxyException.class,
							(ex) -> assertThat(ex.error()).isEqualTo(RpcError.PROXY_CLOSED));
			});
	}

	private static long usedHeap() {
		Runtime runtime = Runtime.getRuntime();
		System.gc();
		System.gc();
		return runtime.totalMemory() - runtime.freeMemory();
	}

	@Test
	void usersOnTwoPodsReachTheirOwnPodAndMoveWhenItDrainsAndDies() {
		RouterBackend pod1 = backend(1);
		RouterBackend pod2 = backend(2);
		PodHeartbeatPublisher publisher1 = gamePod(pod1);
		gamePod(pod2);
		runner().run((context) -> {
			RpcProxy proxy = proxy(context, "game");
			StatefulRouteDriver driver = context.getBean(StatefulRouteDriver.class);
			await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
				.until(() -> proxy.forUser("probe").call("whoami", RpcContent.empty()) != null);
			Set<Integer> podsUsed = new HashSet<>();
			for (int i = 0; i < 20; i++) {
				String user = "player-" + i;
				for (int call = 0; call < 3; call++) {
					int pod = (Integer) proxy.forUser(user).call("whoami", RpcContent.empty()).as(Map.class).get("pod");
					assertThat(pod).as(user + "'s pod").isEqualTo(driver.getLinkedPod(NS, user, "game").getAsInt());
					podsUsed.add(pod);
				}
			}
			assertThat(podsUsed).containsExactlyInAnyOrder(1, 2);
			assertThat(pod1.router.openStreams() + pod2.router.openStreams()).isEqualTo(2);
			String onPod1 = null;
			for (int i = 0; i < 20 && onPod1 == null; i++) {
				if (driver.getLinkedPod(NS, "player-" + i, "game").getAsInt() == 1) {
					onPod1 = "player-" + i;
				}
			}
			RpcProxy user1 = proxy.forUser(onPod1);
			// draining: pod 1 keeps its users (as stubs do), new users go to pod 2
			publisher1.setState(PodState.DRAINING);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> !context.getBean(io.github.rpcclient.route.PodRegistry.class).isRoutable(NS, "game", 1));
			assertThat(user1.call("whoami", RpcContent.empty()).as(Map.class).get("pod")).isEqualTo(1);
			for (int i = 0; i < 5; i++) {
				assertThat(proxy.forUser("newcomer-" + i).call("whoami", RpcContent.empty()).as(Map.class).get("pod"))
					.isEqualTo(2);
			}
			// gone: the drained application stops (its pod marked DOWN once its servers stopped), its
			// users move on their next call, its stream is closed
			publisher1.stop();
			publisher1.destroy();
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
				.until(() -> user1.call("whoami", RpcContent.empty()).as(Map.class).get("pod").equals(2));
			await().atMost(Duration.ofSeconds(5)).until(() -> pod1.router.openStreams() == 0);
			assertThat(pod2.router.openStreams()).isEqualTo(1);
			assertThat(proxy.openStreams()).isEqualTo(1);
		});
	}

	@Test
	void closeTwiceEndsEveryStreamAndFailsPendingAndLaterCalls() {
		RouterBackend pod1 = backend(1);
		RouterBackend pod2 = backend(2);
		gamePod(pod1);
		gamePod(pod2);
		runner().run((context) -> {
			RpcProxy proxy = proxy(context, "game");
			await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
				.until(() -> proxy.forUser("probe").call("whoami", RpcContent.empty()) != null);
			List<CompletableFuture<RpcContent>> pending = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				proxy.forUser("u" + i).call("echo", RpcContent.empty());
				pending.add(proxy.forUser("u" + i).callAsync("stall", RpcContent.empty()));
			}
			await().atMost(Duration.ofSeconds(5))
				.until(() -> pod1.router.openStreams() == 1 && pod2.router.openStreams() == 1);
			await().atMost(Duration.ofSeconds(5)).until(() -> pod1.unanswered.get() + pod2.unanswered.get() == 10);
			proxy.close();
			proxy.close();
			assertThat(proxy.isClosed()).isTrue();
			assertThat(proxy.forUser("u1").isClosed()).isTrue();
			for (CompletableFuture<RpcContent> call : pending) {
				assertThat(call).failsWithin(Duration.ofSeconds(5))
					.withThrowableThat()
					.havingCause()
					.isInstanceOfSatisfying(RpcProxyException.class,
							(ex) -> assertThat(ex.error()).isEqualTo(RpcError.PROXY_CLOSED));
			}
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> proxy.forUser("u1").call("echo", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.PROXY_CLOSED))
				.withMessageContaining("The RPC proxy of 'game' is closed");
			await().atMost(Duration.ofSeconds(5))
				.until(() -> pod1.router.openStreams() == 0 && pod2.router.openStreams() == 0);
			assertThat(proxy.openStreams()).isZero();
		});
	}

	@Test
	void contextCloseEndsStreamsBeforeChannelsDrain() {
		runner().run((context) -> {
			RpcProxy proxy = proxy(context, "solo");
			CompletableFuture<RpcContent> pending = proxy.forUser("gina").callAsync("stall", RpcContent.empty());
			await().atMost(Duration.ofSeconds(5)).until(() -> this.solo.unanswered.get() == 1);
			long start = System.nanoTime();
			context.close();
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(took).as("shutdown, not held up by the stream for the 10s grace period")
				.isLessThan(Duration.ofSeconds(5));
			assertThat(pending).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(RpcProxyException.class,
						(ex) -> assertThat(ex.error()).isEqualTo(RpcError.PROXY_CLOSED));
			await().atMost(Duration.ofSeconds(5)).until(() -> this.solo.router.openStreams() == 0);
		});
	}

}
