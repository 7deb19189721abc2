package io.github.rpcclient.route;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import io.github.rpcclient.actuate.PodAccess.PodDescriptor;
import io.github.rpcclient.actuate.PodRegistryAccess;
import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.settings.RoutingSettingsFactory;
import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The pod registry after Redis comes back (issue #9 item 5), step by step with explicit
 * refreshes: pods alive before an outage keep their users until their publisher beats again
 * (however long it takes to reconnect, within {@code reconnect-grace}), whichever of the registry
 * and the relink subscription sees Redis again first, and even when no read failed because Redis
 * lost its data between two reads; a pod that died in the outage loses its users once the grace
 * ends.
 */
class RedisRecoveryTest {

	private static final String NS = RoutingFixture.NS;

	private static final String SVC = "game";

	private static final Duration HEARTBEAT_TTL = Duration.ofSeconds(2);

	@Test
	void podsAliveBeforeAnOutageKeepTheirUsersUntilTheyBeatAgainEvenAfterAHeartbeatTtl() {
		try (EmbeddedRedis redis = EmbeddedRedis.start();
				RoutingFixture client = new RoutingFixture(redis, settings(Duration.ofSeconds(30)))) {
			PodHeartbeatPublisher one = beating(client, 1);
			PodHeartbeatPublisher two = beating(client, 2);
			Map<String, Integer> linked = link(client, 20);

			outageWithoutPublishers(client, redis, one, two); // Redis restarts empty, no publisher beat yet
			client.registry.refresh(); // the first read after the outage: no pod in Redis

			assertThat(client.removed).as("pods left the registry").isEmpty();
			assertAlive(client, 1);
			assertAlive(client, 2);
			assertKept(client, linked);

			// the publishers take longer than one heartbeat TTL to reconnect
			awaitHeartbeatsLapsed(client, 1, 2);
			assertKept(client, linked);

			one.publish(); // pod 1 beats again: verified; pod 2 still awaited
			client.registry.refresh();
			assertUnverified(client, 1, false);
			assertUnverified(client, 2, true);
			assertThat(new PodRegistryAccess(client.registry, RoutingSettingsFactory.resolve(client.properties))
				.pods(SVC)).as("pods as the grpcclients endpoint shows them")
				.extracting(PodDescriptor::index, PodDescriptor::state, PodDescriptor::unverified)
				.containsExactly(tuple(1, "ROUTABLE", null), tuple(2, "ROUTABLE", true));
			for (int i = 0; i < 5; i++) {
				assertThat(client.driver.computeLinkedPod(NS, "new-" + i, SVC)).as("a new user goes to a verified pod")
					.hasValue(1);
			}
			assertKept(client, linked);
			assertThat(client.removed).isEmpty();
		}
	}

	@Test
	void aPodThatDiedInTheOutageLosesItsUsersOnceTheGraceEnds() {
		Duration grace = Duration.ofSeconds(2);
		try (EmbeddedRedis redis = EmbeddedRedis.start();
				RoutingFixture client = new RoutingFixture(redis, settings(grace))) {
			PodHeartbeatPublisher one = beating(client, 1);
			PodHeartbeatPublisher two = beating(client, 2);
			Map<String, Integer> linked = link(client, 20);
			assertThat(linked).containsValues(1, 2);

			outageWithoutPublishers(client, redis, one, two); // pod 2 dies in the outage: never beats again
			one.publish();
			client.registry.refresh();
			long back = System.nanoTime();
			assertAlive(client, 2);
			assertKept(client, linked);

			await("pod 2 to be DOWN once the grace ends").atMost(grace.plusSeconds(3)).until(() -> {
				one.publish();
				client.registry.refresh();
				return !client.registry.isAvailable(NS, SVC, 2);
			});
			assertThat(Duration.ofNanos(System.nanoTime() - back)).as("not before the grace")
				.isGreaterThanOrEqualTo(grace.minusMillis(200));
			assertThat(client.removed).containsExactly(SVC + "#2");
			linked.forEach((uid, pod) -> {
				assertThat(client.driver.computeLinkedPod(NS, uid, SVC)).as(uid).hasValue(1);
				assertThat(client.driver.getLinkedPodNotCache(NS, uid, SVC)).as("Redis for %s", uid).hasValue(1);
			});
		}
	}

	@Test
	void redisThatLostItsDataBetweenTwoReadsIsNoticedWithoutAFailedRead() {
		try (EmbeddedRedis redis = EmbeddedRedis.start();
				RoutingFixture client = new RoutingFixture(redis, settings(Duration.ofSeconds(30)))) {
			PodHeartbeatPublisher one = beating(client, 1);
			PodHeartbeatPublisher two = beating(client, 2);
			Map<String, Integer> linked = link(client, 20);

			client.registry.refresh();
			one.halt(); // the publishers have not beaten again yet
			two.halt();
			redis.run((commands) -> commands.flushall()); // no connection drops: only the data is gone
			client.registry.refresh();

			assertThat(client.removed).as("pods left the registry").isEmpty();
			assertAlive(client, 1);
			assertAlive(client, 2);
			assertKept(client, linked);
			linked.forEach((uid, pod) -> assertThat(client.driver.getLinkedPodNotCache(NS, uid, SVC))
				.as("link of %s re-asserted in Redis", uid)
				.hasValue(pod));
			// past their last heartbeat, the pods missing from Redis are still awaited
			awaitHeartbeatsLapsed(client, 1, 2);
			assertKept(client, linked);
			assertThat(client.removed).isEmpty();
		}
	}

	private static Consumer<RoutingProperties> settings(Duration reconnectGrace) {
		return (properties) -> {
			properties.setCommandTimeout(Duration.ofMillis(500));
			properties.setHeartbeatTtl(HEARTBEAT_TTL);
			properties.setReconnectGrace(reconnectGrace);
		};
	}

	/** A pod whose publisher beats every fifth of the heartbeat TTL until halted. */
	private static PodHeartbeatPublisher beating(RoutingFixture client, int index) {
		PodHeartbeatPublisher publisher = client.publish(SVC, index, 0);
		publisher.start();
		return publisher;
	}

	private static Map<String, Integer> link(RoutingFixture client, int users) {
		Map<String, Integer> linked = new LinkedHashMap<>();
		List<String> uids = IntStream.range(0, users).mapToObj((i) -> "user-" + i).toList();
		uids.forEach((uid) -> linked.put(uid, client.driver.computeLinkedPod(NS, uid, SVC).getAsInt()));
		return linked;
	}

	/**
	 * Kills Redis with the publishers halted (they do not reconnect for a while: Lettuce's backoff),
	 * lets one registry read fail, restarts Redis empty and waits until the client reaches it.
	 */
	private static void outageWithoutPublishers(RoutingFixture client, EmbeddedRedis redis,
			PodHeartbeatPublisher... publishers) {
		client.registry.refresh();
		redis.kill();
		for (PodHeartbeatPublisher publisher : publishers) {
			publisher.halt();
		}
		client.registry.refresh(); // fails: the view is frozen
		redis.restart();
		awaitRedis(client);
	}

	/**
	 * Waits, refreshing the registry, until the pods' last heartbeats have lapsed on Redis' clock,
	 * and checks that they are unverified rather than DOWN all the while.
	 */
	private static void awaitHeartbeatsLapsed(RoutingFixture client, int... pods) {
		await("heartbeats of pods to lapse").atMost(HEARTBEAT_TTL.plusSeconds(3)).untilAsserted(() -> {
			client.registry.refresh();
			for (int pod : pods) {
				assertUnverified(client, pod, true);
			}
		});
		assertThat(client.removed).as("pods left the registry").isEmpty();
	}

	/** Waits until the client's own connection answers again after a restart. */
	private static void awaitRedis(RoutingFixture client) {
		await("Redis to answer the client").atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> client.driver.getLinkedPodNotCache(NS, "probe", SVC).isEmpty());
	}

	private static void assertAlive(RoutingFixture client, int pod) {
		assertThat(client.registry.stateOf(NS, SVC, pod)).as("state of pod %d", pod).isEqualTo(PodState.ROUTABLE);
	}

	private static void assertUnverified(RoutingFixture client, int pod, boolean unverified) {
		assertThat(client.registry.stateOf(NS, SVC, pod)).as("state of pod %d", pod).isEqualTo(PodState.ROUTABLE);
		assertThat(client.registry.isUnverified(NS, SVC, pod)).as("pod %d unverified", pod).isEqualTo(unverified);
	}

	private static void assertKept(RoutingFixture client, Map<String, Integer> linked) {
		linked.forEach((uid, pod) -> assertThat(client.driver.computeLinkedPod(NS, uid, SVC)).as(uid).hasValue(pod));
	}

}
