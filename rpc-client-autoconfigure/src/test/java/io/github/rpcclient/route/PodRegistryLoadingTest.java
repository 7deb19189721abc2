package io.github.rpcclient.route;

import java.time.Duration;
import java.util.List;

import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The pod registry stays off the call path and does not grow: services that are not stateful are
 * rejected before Redis is touched, a service's pods are read when it is registered (at start-up),
 * not by its first call, and services of other namespaces no longer used are evicted.
 */
class PodRegistryLoadingTest {

	private static final String NS = RoutingFixture.NS;

	private static final String SVC = "game";

	@RegisterExtension
	static final RoutingFixtures fixtures = new RoutingFixtures();

	private static final EmbeddedRedis redis = fixtures.redis();

	@Test
	void aServiceThatIsNotStatefulIsRejectedBeforeRedisIsTouchedAndNeverReRead() {
		RoutingFixture client = fixtures.create();
		client.publish(SVC, 1, 0);
		client.registry.pods(NS, SVC);
		long reads = scripts();
		client.registry.refresh();
		long readsPerRefresh = scripts() - reads;

		long before = scripts();
		assertThatIllegalArgumentException().isThrownBy(() -> client.driver.computeLinkedPod(NS, "u", "not-stateful"))
			.withMessageStartingWith("service 'not-stateful' is not a stateful service");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> client.driver.setLinkedPodIfAbsent(NS, "u", "not-stateful", 1))
			.withMessageStartingWith("service 'not-stateful' is not a stateful service");
		assertThat(scripts()).as("no script reached Redis").isEqualTo(before);
		client.registry.refresh();
		assertThat(scripts() - before).as("the registry does not read the unknown name").isEqualTo(readsPerRefresh);
	}

	@Test
	void theFirstCallOfAServiceDoesNotReadTheRegistry() {
		RoutingFixture client = fixtures.create();
		client.publish("lobby", 1, 0);
		client.registry.addStaticPods("lobby", List.of()); // as StatefulTransportProvider does at start-up
		client.driver.computeLinkedPod(NS, "warm-up", "lobby"); // Redis learns the script
		long before = scripts();
		assertThat(client.driver.computeLinkedPod(NS, "u", "lobby")).hasValue(1);
		assertThat(scripts() - before).as("only the link script, no registry read").isEqualTo(1);
	}

	@Test
	void servicesOfOtherNamespacesNoLongerUsedAreEvicted() {
		RoutingFixture other = fixtures.create((properties) -> properties.setNamespace("other-ns"));
		other.publish(SVC, 3, 0);
		other.driver.computeLinkedPod("other-ns", "u1", SVC);
		RoutingFixture client = fixtures.create((properties) -> properties.setRegistryRefresh(Duration.ofMillis(50)));
		client.registry.pods(NS, SVC);
		long before = scripts();
		client.registry.refresh();
		long localReads = scripts() - before;
		assertThat(client.driver.computeLinkedPod("other-ns", "u1", SVC)).hasValue(3);
		long withOther = scripts();
		client.registry.refresh();
		assertThat(scripts() - withOther).as("the other namespace is refreshed while in use").isEqualTo(localReads + 1);
		await("the unused namespace to be evicted").atMost(Duration.ofSeconds(5)).until(() -> {
			long start = scripts();
			client.registry.refresh();
			return scripts() - start == localReads;
		});
		assertThat(client.driver.computeLinkedPod("other-ns", "u1", SVC)).as("read again on demand").hasValue(3);
	}

	private static long scripts() {
		var calls = redis.commandCalls();
		return calls.getOrDefault("evalsha", 0L) + calls.getOrDefault("eval", 0L);
	}

}
