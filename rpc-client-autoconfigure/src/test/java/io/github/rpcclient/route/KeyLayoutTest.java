package io.github.rpcclient.route;

import java.util.List;

import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis key layout cannot collide and cannot be steered to another hash slot: the separator,
 * the hash-tag braces and the escape character are escaped in namespaces, uids and service names.
 */
class KeyLayoutTest {

	private static final String SVC = "game";

	@RegisterExtension
	static final RoutingFixtures fixtures = new RoutingFixtures();

	private static final EmbeddedRedis redis = fixtures.redis();

	@Test
	void aSeparatorInANameCannotMakeTwoLinksShareAKey() {
		RoutingFixture eu = fixtures.create((properties) -> properties.setNamespace("eu"));
		RoutingFixture euX = fixtures.create((properties) -> properties.setNamespace("eu:x"));
		eu.publish(SVC, 1, 0);
		euX.publish(SVC, 2, 0);
		assertThat(eu.driver.computeLinkedPod("eu", "x:y", SVC)).hasValue(1);
		assertThat(euX.driver.computeLinkedPod("eu:x", "y", SVC)).hasValue(2);

		assertThat(eu.driver.getLinkedPodNotCache("eu", "x:y", SVC)).hasValue(1);
		assertThat(eu.driver.getLinkedPodNotCache("eu:x", "y", SVC)).hasValue(2);
		assertThat(eu.driver.getLinkService("eu", "x:y")).containsEntry(SVC, 1);
		assertThat(eu.driver.getLinkService("eu:x", "y")).containsEntry(SVC, 2);
		List<String> keys = redis.run((commands) -> commands.keys("rpc:link:*"));
		assertThat(keys).hasSize(2);
	}

	@Test
	void aServiceNameWithTheSeparatorDoesNotShareAnotherServicesPods() {
		RoutingFixture a = fixtures.create((properties) -> properties.setNamespace("a")).stateful("b:c");
		RoutingFixture ab = fixtures.create((properties) -> properties.setNamespace("a:b")).stateful("c");
		a.publish("b:c", 1, 0);
		assertThat(ab.registry.pods("a:b", "c")).isEmpty();
		assertThat(a.registry.pods("a", "b:c")).containsOnlyKeys(1);
	}

	@Test
	void aHashTagInjectedInAUidStaysInsideItsOwnTag() {
		RoutingFixture client = fixtures.create();
		client.publish(SVC, 1, 0);
		for (String uid : List.of("}x{", "{x}", "%7B", "a}b", "%")) {
			assertThat(client.driver.computeLinkedPod(RoutingFixture.NS, uid, SVC)).as(uid).hasValue(1);
			assertThat(client.driver.getLinkedPodNotCache(RoutingFixture.NS, uid, SVC)).as(uid).hasValue(1);
		}
		List<String> keys = redis.run((commands) -> commands.keys("rpc:link:*"));
		assertThat(keys).hasSize(5).allSatisfy((key) -> {
			assertThat(key).startsWith("rpc:link:{test-ns:").endsWith("}");
			assertThat(key.chars().filter((c) -> c == '{').count()).as(key).isOne();
			assertThat(key.chars().filter((c) -> c == '}').count()).as(key).isOne();
		});
		assertThat(keys).contains("rpc:link:{test-ns:%7Dx%7B}");
	}

}
