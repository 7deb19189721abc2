package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.StallProbe;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis killed with SIGKILL for 10 s under load, then restarted empty: no user of a live pod is
 * relinked, every client agrees with Redis afterwards, the pods are verified again once their
 * publishers beat, and lookups that need Redis during the outage fail within
 * {@code command-timeout} + 100 ms, not counting the time the machine did not run this JVM at all
 * (a {@link StallProbe} measures it: host steal on a shared VM stalled every thread for up to 1 s).
 */
class RedisOutageTest {

	private static final String NS = RoutingFixture.NS;

	private static final String SVC = "game";

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	private static final Duration HEARTBEAT_TTL = Duration.ofSeconds(4);

	@Test
	void aRedisOutageMovesNoUserOfALivePod() throws Exception {
		Consumer<RoutingProperties> settings = (properties) -> {
			properties.setCommandTimeout(COMMAND_TIMEOUT);
			properties.setHeartbeatTtl(HEARTBEAT_TTL);
			properties.setRegistryRefresh(Duration.ofMillis(200));
		};
		try (StallProbe stalls = StallProbe.start(Duration.ofMillis(50)); EmbeddedRedis redis = EmbeddedRedis.start();
				RoutingFixture pods = new RoutingFixture(redis, settings);
				RoutingFixture a = new RoutingFixture(redis, settings);
				RoutingFixture b = new RoutingFixture(redis, settings)) {
			for (int index = 1; index <= 3; index++) {
				pods.publish(SVC, index, 0).start();
			}
			List<RoutingFixture> clients = List.of(a, b);
			clients.forEach((client) -> {
				client.registry.refresh();
				client.registry.start();
			});
			List<String> uids = IntStream.range(0, 200).mapToObj((i) -> "user-" + i).toList();
			Map<String, Integer> linked = new HashMap<>();
			for (String uid : uids) {
				linked.put(uid, a.driver.computeLinkedPod(NS, uid, SVC).getAsInt());
				assertThat(b.driver.computeLinkedPod(NS, uid, SVC)).hasValue(linked.get(uid));
			}

			AtomicBoolean running = new AtomicBoolean(true);
			Queue<String> moved = new ConcurrentLinkedQueue<>();
			AtomicLong freshUsers = new AtomicLong();
			long began = System.nanoTime();
			Queue<long[]> failed = new ConcurrentLinkedQueue<>(); // start and end of each failed lookup
			List<Thread> load = new ArrayList<>();
			for (RoutingFixture client : clients) {
				Thread thread = new Thread(() -> {
					while (running.get()) {
						for (String uid : uids) {
							long start = System.nanoTime();
							try {
								OptionalInt pod = client.driver.computeLinkedPod(NS, uid, SVC);
								if (pod.isEmpty() || pod.getAsInt() != linked.get(uid)) {
									moved.add(uid + " -> " + pod + " at " + millisSince(began) + " ms, pod "
											+ linked.get(uid) + " " + client.registry.stateOf(NS, SVC, linked.get(uid)));
								}
							}
							catch (RouteStoreUnavailableException ex) {
								failed.add(new long[] { start, System.nanoTime() });
							}
						}
						String fresh = "fresh-" + freshUsers.incrementAndGet(); // a near-cache miss: needs Redis
						long start = System.nanoTime();
						try {
							client.driver.computeLinkedPod(NS, fresh, SVC);
						}
						catch (RouteStoreUnavailableException ex) {
							failed.add(new long[] { start, System.nanoTime() });
						}
					}
				}, "load");
				thread.start();
				load.add(thread);
			}
			try {
				System.out.printf("Redis killed at %d ms%n", millisSince(began));
				redis.kill();
				long killed = System.nanoTime();
				// the outage itself (a duration under test, not a synchronisation)
				await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);
				redis.restart();
				System.out.printf("Redis restarted at %d ms%n", millisSince(began));
				System.out.printf("Redis down for %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
				await("clients to re-subscribe").atMost(Duration.ofSeconds(10))
					.until(() -> a.subscriber.isSubscribed() && b.subscriber.isSubscribed());
				// keep the load on past a full heartbeat TTL of working Redis
				await().pollDelay(HEARTBEAT_TTL.plusSeconds(1)).atMost(HEARTBEAT_TTL.plusSeconds(2)).until(() -> true);
			}
			finally {
				running.set(false);
				for (Thread thread : load) {
					thread.join(10_000);
				}
			}
			long slowest = failed.stream().mapToLong((failure) -> failure[1] - failure[0]).max().orElse(0);
			long slowestRun = failed.stream()
				.mapToLong((failure) -> failure[1] - failure[0] - stalls.stalledNanos(failure[0], failure[1]))
				.max()
				.orElse(0);
			System.out.printf("Outage: %d lookups failed, slowest failure %d ms (%d ms without the stalls of the JVM), "
					+ "%d moved; longest stall %d ms%n", failed.size(), TimeUnit.NANOSECONDS.toMillis(slowest),
					TimeUnit.NANOSECONDS.toMillis(slowestRun), moved.size(), stalls.longest().toMillis());
			moved.stream().limit(5).forEach(System.out::println);
			for (RoutingFixture client : clients) {
				System.out.println("Pods after the outage: " + IntStream.rangeClosed(1, 3)
					.mapToObj((pod) -> pod + " " + client.registry.stateOf(NS, SVC, pod)
							+ (client.registry.isUnverified(NS, SVC, pod) ? " (unverified)" : ""))
					.toList());
			}
			assertThat(moved).as("users of live pods moved").isEmpty();
			assertThat(Duration.ofNanos(slowestRun)).as("slowest failed lookup, less the stalls of the JVM")
				.isLessThanOrEqualTo(COMMAND_TIMEOUT.plusMillis(100));
			assertThat(failed).as("lookups that needed Redis during the outage failed").isNotEmpty();
			await("every pod to beat again").atMost(Duration.ofSeconds(5))
				.until(() -> clients.stream()
					.allMatch((client) -> IntStream.rangeClosed(1, 3)
						.allMatch((pod) -> client.registry.isRoutable(NS, SVC, pod)
								&& !client.registry.isUnverified(NS, SVC, pod))));
			for (String uid : uids) {
				assertThat(a.driver.getLinkedPodNotCache(NS, uid, SVC)).as("Redis for %s", uid).hasValue(linked.get(uid));
				for (RoutingFixture client : clients) {
					assertThat(client.driver.computeLinkedPod(NS, uid, SVC)).as(uid).hasValue(linked.get(uid));
				}
			}
		}
	}

	private static long millisSince(long start) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
	}

}
