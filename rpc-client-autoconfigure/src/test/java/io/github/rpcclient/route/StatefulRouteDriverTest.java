package io.github.rpcclient.route;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.settings.RoutingSettingsFactory;
import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Every operation of {@link StatefulRouteDriver} against a real Redis.
 */
class StatefulRouteDriverTest {

	private static final String NS = RoutingFixture.NS;

	private static final String SVC = "game";

	@RegisterExtension
	static final RoutingFixtures fixtures = new RoutingFixtures();

	private static final EmbeddedRedis redis = fixtures.redis();

	@Test
	void computeLinkedPodLinksANewUserToTheRoutablePodWithTheLowestLoadAndKeepsIt() {
		RoutingFixture client = fixtures.create();
		client.publish(SVC, 1, 5);
		client.publish(SVC, 2, 1);
		client.publish(SVC, 3, 3);
		StatefulRouteDriver driver = client.driver;

		assertThat(driver.computeLinkedPod(NS, "u1", SVC)).hasValue(2);
		assertThat(driver.getLinkedInCache(NS, "u1", SVC)).hasValue(2);
		assertThat(driver.getLinkedPodNotCache(NS, "u1", SVC)).hasValue(2);
		assertThat(driver.getLinkService(NS, "u1")).containsExactly(Map.entry(SVC, 2));
		long hits = driver.nearCacheStats().hitCount();
		assertThat(driver.computeLinkedPod(NS, "u1", SVC)).hasValue(2);
		assertThat(driver.nearCacheStats().hitCount()).isEqualTo(hits + 1);
	}

	@Test
	void tiesOfLoadAreBrokenByFewestLinks() {
		RoutingFixture client = fixtures.create();
		client.publish(SVC, 1, 0);
		client.publish(SVC, 2, 0);
		client.publish(SVC, 3, 0);
		List<Integer> pods = IntStream.range(0, 6)
			.mapToObj((i) -> client.driver.computeLinkedPod(NS, "u" + i, SVC).getAsInt())
			.toList();
		assertThat(pods).containsExactlyInAnyOrder(1, 1, 2, 2, 3, 3);
		// another client instance sees the shared link counts once it reads the registry
		RoutingFixture other = fixtures.create();
		other.driver.computeLinkedPod(NS, "v1", SVC);
		// counts are written without waiting for Redis
		await().atMost(java.time.Duration.ofSeconds(2))
			.untilAsserted(() -> {
				Map<String, String> counts = redis.run((commands) -> commands.hgetall("rpc:podlinks:{test-ns:game}"));
				assertThat(counts).containsOnlyKeys("1", "2", "3");
			});
	}

	@Test
	void noRoutablePodMeansEmptyNotAMagicZero() {
		RoutingFixture client = fixtures.create();
		assertThat(client.driver.computeLinkedPod(NS, "u1", SVC)).isEmpty();
		client.publish(SVC, 1, 0).setState(PodState.DRAINING);
		client.registry.refresh();
		assertThat(client.driver.computeLinkedPod(NS, "u1", SVC)).isEmpty();
		assertThat(client.driver.getLinkService(NS, "u1")).isEmpty();
	}

	@Test
	void computeLinkedPodFromRedisRefreshesTheLinkTtl() {
		RoutingFixture client = fixtures.create((properties) -> properties.setLinkTtl(Duration.ofSeconds(20)));
		client.publish(SVC, 1, 0);
		client.driver.computeLinkedPod(NS, "u1", SVC);
		String key = "rpc:link:{test-ns:u1}";
		Long ttl = redis.run((commands) -> commands.pttl(key));
		assertThat(ttl).isBetween(15_000L, 20_000L);

		redis.run((commands) -> commands.pexpire(key, 3_000));
		client.driver.cacheExpired(NS, "u1", SVC);
		Long shortened = redis.run((commands) -> commands.pttl(key));
		assertThat(shortened).isLessThanOrEqualTo(3_000L);
		assertThat(client.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(1);

		Long refreshed = redis.run((commands) -> commands.pttl(key));
		assertThat(refreshed).isBetween(15_000L, 20_000L);
	}

	@Test
	void aLinkExpiresAfterTheLinkTtlWithoutUse() {
		RoutingFixture client = fixtures.create((properties) -> properties.setLinkTtl(Duration.ofSeconds(1)));
		client.publish(SVC, 1, 0);
		client.driver.computeLinkedPod(NS, "u1", SVC);
		assertThat(client.driver.getLinkedPodNotCache(NS, "u1", SVC)).hasValue(1);
		await("link to expire in Redis").atMost(Duration.ofSeconds(5))
			.until(() -> client.driver.getLinkedPodNotCache(NS, "u1", SVC).isEmpty());
		assertThat(client.driver.getLinkService(NS, "u1")).isEmpty();
	}

	@Test
	void theNearCacheLivesShorterThanRedis() {
		assertThat(RoutingSettingsFactory.resolve(new RoutingProperties()).nearCacheTtl())
			.isEqualTo(Duration.ofSeconds(240));
		RoutingFixture client = fixtures.create((properties) -> {
			properties.setLinkTtl(Duration.ofSeconds(30));
			properties.setNearCacheTtl(Duration.ofMillis(300));
		});
		client.publish(SVC, 1, 0);
		client.driver.computeLinkedPod(NS, "u1", SVC);
		assertThat(client.driver.getLinkedInCache(NS, "u1", SVC)).hasValue(1);
		await("near-cache entry to expire").atMost(Duration.ofSeconds(5))
			.until(() -> client.driver.getLinkedInCache(NS, "u1", SVC).isEmpty());
		assertThat(client.driver.getLinkedPodNotCache(NS, "u1", SVC)).hasValue(1);
	}

	@Test
	void cacheOperations() {
		RoutingFixture client = fixtures.create();
		StatefulRouteDriver driver = client.driver;
		client.publish(SVC, 1, 0);
		client.publish(SVC, 2, 0);
		driver.setLinkedPodIfAbsent(NS, "u1", SVC, 2);
		driver.cacheExpired(NS, "u1", SVC);

		assertThat(driver.getLinkedInCache(NS, "u1", SVC)).isEmpty();
		assertThat(driver.getLinkedPod(NS, "u1", SVC)).hasValue(2);
		assertThat(driver.getLinkedInCache(NS, "u1", SVC)).as("getLinkedPod does not fill the cache").isEmpty();
		assertThat(driver.getLinkedPodInCacheOrIfPersist(NS, "u1", SVC)).hasValue(2);
		assertThat(driver.getLinkedInCache(NS, "u1", SVC)).as("InCacheOrIfPersist fills the cache").hasValue(2);

		driver.setCache(NS, "u1", SVC, 1);
		assertThat(driver.getLinkedPod(NS, "u1", SVC)).hasValue(1);
		assertThat(driver.getLinkedPodNotCache(NS, "u1", SVC)).as("setCache writes no Redis").hasValue(2);
		assertThat(driver.getLinkedPodInCacheOrIfPersist(NS, "nobody", SVC)).isEmpty();
		assertThat(driver.getLinkedPod(NS, "nobody", SVC)).isEmpty();
	}

	@Test
	void getLinkServiceReturnsEveryServiceOfAUserWithOneCommand() {
		RoutingFixture client = fixtures.create();
		client.publish("game", 1, 0);
		client.publish("chat", 4, 0);
		client.driver.computeLinkedPod(NS, "u1", "game");
		client.driver.computeLinkedPod(NS, "u1", "chat");
		long before = redis.commandCalls().getOrDefault("hgetall", 0L);
		assertThat(client.driver.getLinkService(NS, "u1")).containsExactly(Map.entry("chat", 4), Map.entry("game", 1));
		assertThat(redis.commandCalls().get("hgetall") - before).isEqualTo(1);
		List<String> keys = redis.run((commands) -> commands.keys("rpc:link:*"));
		assertThat(keys).containsExactly("rpc:link:{test-ns:u1}");
	}

	@Test
	void setLinkedPodIfAbsentKeepsALinkToAnAvailablePodAndReplacesOneToAGonePod() {
		RoutingFixture client = fixtures.create();
		StatefulRouteDriver driver = client.driver;
		client.publish(SVC, 1, 0);
		PodHeartbeatPublisher pod2 = client.publish(SVC, 2, 0);
		assertThat(driver.setLinkedPodIfAbsent(NS, "u1", SVC, 2)).isEqualTo(2);
		assertThat(driver.setLinkedPodIfAbsent(NS, "u1", SVC, 1)).isEqualTo(2);

		pod2.setState(PodState.DRAINING);
		client.registry.refresh();
		assertThat(driver.setLinkedPodIfAbsent(NS, "u1", SVC, 1)).as("draining pods keep their users").isEqualTo(2);

		pod2.setState(PodState.DOWN);
		client.registry.refresh();
		assertThat(driver.setLinkedPodIfAbsent(NS, "u1", SVC, 1)).isEqualTo(1);
		assertThat(driver.getLinkedPodNotCache(NS, "u1", SVC)).hasValue(1);
	}

	@Test
	void linksAreWrittenOnlyInTheLocalNamespaceAndReadInAny() {
		RoutingFixture local = fixtures.create();
		RoutingFixture other = fixtures.create((properties) -> properties.setNamespace("other-ns"));
		other.publish(SVC, 3, 0);
		other.driver.computeLinkedPod("other-ns", "u1", SVC);

		assertThatIllegalArgumentException().isThrownBy(() -> local.driver.setLinkedPodIfAbsent("other-ns", "u1", SVC, 3))
			.withMessageContaining("namespace 'other-ns' is not the local namespace");
		assertThat(local.driver.getLinkedPodNotCache("other-ns", "u1", SVC)).hasValue(3);
		assertThat(local.driver.getLinkService("other-ns", "u1")).containsExactly(Map.entry(SVC, 3));
		assertThat(local.driver.computeLinkedPod("other-ns", "u1", SVC)).as("read-only outside the local namespace")
			.hasValue(3);
		assertThat(local.driver.computeLinkedPod("other-ns", "u2", SVC)).isEmpty();
		assertThat(local.driver.getLinkService("other-ns", "u2")).isEmpty();
	}

	@Test
	void batchGetLinkedPodOfAThousandUsersIsOneRedisCommand() {
		RoutingFixture writer = fixtures.create();
		List<String> uids = IntStream.range(0, 1000).mapToObj((i) -> "user-" + i).toList();
		for (int i = 0; i < uids.size(); i++) {
			writer.driver.setLinkedPodIfAbsent(NS, uids.get(i), SVC, 1 + (i % 3));
		}
		RoutingFixture reader = fixtures.create();
		reader.driver.batchGetLinkedPod(NS, List.of("warm-up"), SVC); // loads the script once

		Map<String, Long> before = redis.commandCalls();
		Map<Integer, List<String>> byPod = reader.driver.batchGetLinkedPod(NS, uids, SVC);
		Map<String, Long> after = redis.commandCalls();

		assertThat(byPod).containsOnlyKeys(1, 2, 3);
		assertThat(byPod.get(1)).hasSize(334).contains("user-0", "user-999");
		assertThat(byPod.get(2)).hasSize(333).contains("user-1");
		assertThat(byPod.get(3)).hasSize(333).contains("user-2");
		Map<String, Long> delta = new java.util.TreeMap<>();
		after.forEach((command, calls) -> {
			long added = calls - before.getOrDefault(command, 0L);
			if (added > 0) {
				delta.put(command, added);
			}
		});
		// one EVALSHA crossed the network; the 1,000 HGETs ran inside it, on the server
		assertThat(delta).containsExactlyInAnyOrderEntriesOf(Map.of("evalsha", 1L, "hget", 1000L));
	}

	@Test
	void invalidArgumentsAreRejectedBeforeReachingRedis() {
		RoutingFixture client = fixtures.create();
		StatefulRouteDriver driver = client.driver;
		Map<String, Long> before = redis.commandCalls();
		String tooLong = "x".repeat(257);
		for (String bad : new String[] { null, "", "  ", tooLong, "a\nb", "tab\there" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> driver.computeLinkedPod(bad, "u", SVC))
				.withMessageStartingWith("namespace");
			assertThatIllegalArgumentException().isThrownBy(() -> driver.computeLinkedPod(NS, bad, SVC))
				.withMessageStartingWith("uid");
			assertThatIllegalArgumentException().isThrownBy(() -> driver.getLinkedPodNotCache(NS, "u", bad))
				.withMessageStartingWith("service");
			assertThatIllegalArgumentException().isThrownBy(() -> driver.getLinkService(NS, bad))
				.withMessageStartingWith("uid");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> driver.batchGetLinkedPod(NS, java.util.Arrays.asList("ok", bad), SVC))
				.withMessageStartingWith("uid");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> driver.setLinkedPodIfAbsent(NS, "u", SVC, 0))
			.withMessage("pod must be 1 or more, but is 0");
		assertThatIllegalArgumentException().isThrownBy(() -> driver.setCache(NS, "u", SVC, -1))
			.withMessageStartingWith("pod");
		Map<String, Long> after = redis.commandCalls();
		assertThat(after).as("no command reached Redis").isEqualTo(before);
		assertThat(driver.computeLinkedPod(NS, "x".repeat(256), SVC)).as("256 characters are fine").isEmpty();
	}

}
