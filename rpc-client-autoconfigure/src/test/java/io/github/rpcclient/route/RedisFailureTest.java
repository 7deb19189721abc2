package io.github.rpcclient.route;

import java.time.Duration;
import java.util.List;

import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Redis stopped in the middle: a clear exception within the command timeout, near-cache hits still
 * served, and everything works again once Redis is back, without restarting anything.
 */
class RedisFailureTest {

	private static final String NS = RoutingFixture.NS;

	@Test
	void redisDownFailsClearlyWithinTheTimeoutServesTheNearCacheAndRecovers() {
		try (EmbeddedRedis redis = EmbeddedRedis.start();
				RoutingFixture client = new RoutingFixture(redis,
						(properties) -> properties.setCommandTimeout(Duration.ofMillis(500)))) {
			StatefulRouteDriver driver = client.driver;
			client.publish("game", 1, 0);
			client.publish("game", 2, 0);
			int linked = driver.computeLinkedPod(NS, "cached-user", "game").getAsInt();

			redis.stop();
			client.registry.refresh(); // fails: keeps the pods it knows, clock frozen

			assertThat(driver.computeLinkedPod(NS, "cached-user", "game")).as("near-cache hit").hasValue(linked);
			for (Runnable operation : List.<Runnable>of(() -> driver.computeLinkedPod(NS, "new-user", "game"),
					() -> driver.getLinkedPodNotCache(NS, "cached-user", "game"),
					() -> driver.getLinkService(NS, "cached-user"),
					() -> driver.batchGetLinkedPod(NS, List.of("a", "b"), "game"),
					() -> driver.setLinkedPodIfAbsent(NS, "new-user", "game", 1))) {
				long start = System.nanoTime();
				assertThatExceptionOfType(RouteStoreUnavailableException.class).isThrownBy(operation::run)
					.withMessageContaining("Redis (the stateful route store) did not answer within 500ms");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
			}
			assertThat(client.registry.isAvailable(NS, "game", linked))
				.as("a Redis outage does not make published pods look dead")
				.isTrue();

			redis.restart(); // empty: the pods publish themselves again, as their heartbeats would
			await("Redis to answer again").atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
				client.publish("game", 1, 0);
				client.publish("game", 2, 0);
				return true;
			});
			client.registry.refresh();
			assertThat(driver.computeLinkedPod(NS, "new-user", "game")).isPresent();
			assertThat(driver.getLinkService(NS, "new-user")).containsKey("game");
			assertThat(driver.computeLinkedPod(NS, "cached-user", "game")).hasValue(linked);
		}
	}

}
