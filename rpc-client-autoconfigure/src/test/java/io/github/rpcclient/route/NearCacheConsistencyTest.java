package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One view of every link across client instances: a near-cache entry never outlives its link in
 * Redis, and a relink reaches every client's near cache at once.
 */
class NearCacheConsistencyTest {

	private static final String NS = RoutingFixture.NS;

	private static final String SVC = "game";

	@RegisterExtension
	static final RoutingFixtures fixtures = new RoutingFixtures();

	@Test
	void aCachedReadExpiresNoLaterThanTheLinkInRedis() {
		RoutingFixture a = fixtures.create();
		RoutingFixture b = fixtures.create();
		a.publish(SVC, 1, 0);
		a.publish(SVC, 2, 1);
		b.registry.refresh();
		assertThat(a.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(1);
		// the link is late in its life when B reads it: HGET does not refresh it in Redis
		fixtures.redis().run((commands) -> commands.pexpire("rpc:link:{test-ns:u1}", 1000));
		assertThat(b.driver.getLinkedPodInCacheOrIfPersist(NS, "u1", SVC)).hasValue(1);
		await("the link to expire in Redis").atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> a.driver.getLinkedPodNotCache(NS, "u1", SVC).isEmpty());
		a.publish(SVC, 1, 5); // pod 1 is now the busier one
		a.registry.refresh();
		b.registry.refresh();
		a.driver.cacheExpired(NS, "u1", SVC);
		assertThat(a.driver.computeLinkedPod(NS, "u1", SVC)).as("A relinks the expired user").hasValue(2);
		assertThat(b.driver.computeLinkedPod(NS, "u1", SVC)).as("B agrees with A and Redis").hasValue(2);
	}

	@Test
	void aRelinkReachesAnotherClientsNearCacheAtOnce() {
		RoutingFixture a = fixtures.create();
		RoutingFixture b = fixtures.create();
		PodHeartbeatPublisher pod1 = a.publish(SVC, 1, 0);
		a.publish(SVC, 2, 1);
		b.registry.refresh();
		assertThat(a.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(1);
		assertThat(b.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(1);

		pod1.setState(PodState.DOWN);
		a.registry.refresh(); // A sees pod 1 DOWN; B has not refreshed yet
		assertThat(a.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(2);
		pod1.setState(PodState.ROUTABLE); // pod 1 restarted under the same index
		b.registry.refresh();
		await("B's near cache to drop the old link").atMost(Duration.ofSeconds(1))
			.pollInterval(Duration.ofMillis(1))
			.until(() -> b.driver.getLinkedInCache(NS, "u1", SVC).isEmpty());
		assertThat(b.driver.computeLinkedPod(NS, "u1", SVC)).as("B follows Redis").hasValue(2);
		assertThat(a.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(2);
	}

	@Test
	void relinksMissedWhileTheSubscriptionWasDownAreCaughtOnItsNextUse() {
		RoutingFixture a = fixtures.create();
		RoutingFixture b = fixtures.create();
		a.publish(SVC, 1, 0);
		a.publish(SVC, 2, 1);
		b.registry.refresh();
		assertThat(b.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(1);
		assertThat(b.driver.computeLinkedPod(NS, "kept", SVC)).hasValue(1);

		fixtures.redis().stop();
		fixtures.redis().restart(); // empty: every link is gone
		await("Redis to answer again").atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
			a.publish(SVC, 1, 5); // pod 1 is now the busier one
			a.publish(SVC, 2, 1);
			return true;
		});
		a.registry.refresh();
		assertThat(a.driver.computeLinkedPod(NS, "u1", SVC)).as("A links u1 anew").hasValue(2);
		await("B to re-subscribe").atMost(Duration.ofSeconds(10))
			.until(() -> b.subscriber.isSubscribed() && b.driver.getLinkedInCache(NS, "u1", SVC).isEmpty());
		assertThat(b.driver.computeLinkedPod(NS, "u1", SVC)).as("B follows Redis").hasValue(2);
		assertThat(b.driver.computeLinkedPod(NS, "kept", SVC)).as("a link Redis lost is written back").hasValue(1);
		assertThat(a.driver.getLinkedPodNotCache(NS, "kept", SVC)).hasValue(1);
	}

	@Test
	void disagreementWindowAfterAnAcknowledgedRelink() {
		RoutingFixture a = fixtures.create();
		RoutingFixture b = fixtures.create();
		PodHeartbeatPublisher pod1 = a.publish(SVC, 1, 0);
		a.publish(SVC, 2, 1);
		b.registry.refresh();
		int users = 200;
		for (int i = 0; i < users; i++) {
			a.driver.computeLinkedPod(NS, "u" + i, SVC);
			b.driver.computeLinkedPod(NS, "u" + i, SVC);
		}
		pod1.setState(PodState.DOWN);
		a.registry.refresh();
		List<Long> windows = new ArrayList<>();
		for (int i = 0; i < users; i++) {
			String uid = "u" + i;
			assertThat(a.driver.computeLinkedPod(NS, uid, SVC)).hasValue(2);
			long acknowledged = System.nanoTime();
			await().atMost(Duration.ofSeconds(1))
				.pollInterval(Duration.ofNanos(1))
				.pollDelay(Duration.ZERO)
				.until(() -> b.driver.getLinkedInCache(NS, uid, SVC).isEmpty());
			windows.add(System.nanoTime() - acknowledged);
		}
		Collections.sort(windows);
		System.out.printf("Disagreement window after an acknowledged relink, %d users: median %d µs, p99 %d µs, "
				+ "max %d µs%n", users, TimeUnit.NANOSECONDS.toMicros(windows.get(users / 2)),
				TimeUnit.NANOSECONDS.toMicros(windows.get(users * 99 / 100)),
				TimeUnit.NANOSECONDS.toMicros(windows.get(users - 1)));
	}

}
