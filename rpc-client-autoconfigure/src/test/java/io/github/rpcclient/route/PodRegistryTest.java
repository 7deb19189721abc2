package io.github.rpcclient.route;

import java.time.Duration;
import java.util.List;

import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.PodSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pod states and how links follow them: draining keeps users, DOWN moves them, a stopped
 * heartbeat is DOWN after its TTL, pods that leave are announced.
 */
class PodRegistryTest {

	private static final String NS = RoutingFixture.NS;

	private static final String SVC = "chat";

	@RegisterExtension
	static final RoutingFixtures fixtures = new RoutingFixtures();

	@Test
	void aDrainingPodKeepsItsLinkedUsersAndGetsNoNewOnes() {
		RoutingFixture client = fixtures.create();
		PodHeartbeatPublisher pod1 = client.publish(SVC, 1, 0);
		client.publish(SVC, 2, 1);
		assertThat(client.driver.computeLinkedPod(NS, "old", SVC)).hasValue(1);

		pod1.setState(PodState.DRAINING);
		client.registry.refresh();
		assertThat(client.registry.isAvailable(NS, SVC, 1)).isTrue();
		assertThat(client.registry.isRoutable(NS, SVC, 1)).isFalse();
		assertThat(client.driver.computeLinkedPod(NS, "old", SVC)).as("from the near cache").hasValue(1);
		client.driver.cacheExpired(NS, "old", SVC);
		assertThat(client.driver.computeLinkedPod(NS, "old", SVC)).as("from Redis").hasValue(1);
		for (int i = 0; i < 5; i++) {
			assertThat(client.driver.computeLinkedPod(NS, "new-" + i, SVC)).hasValue(2);
		}
	}

	@Test
	void theUsersOfADownPodMoveOnTheirNextCompute() {
		RoutingFixture client = fixtures.create();
		PodHeartbeatPublisher pod1 = client.publish(SVC, 1, 0);
		client.publish(SVC, 2, 1);
		assertThat(client.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(1);

		pod1.setState(PodState.DOWN);
		client.registry.refresh();
		assertThat(client.registry.isAvailable(NS, SVC, 1)).isFalse();
		assertThat(client.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(2);
		assertThat(client.driver.getLinkedPodNotCache(NS, "u1", SVC)).hasValue(2);
	}

	@Test
	void aPodWhoseHeartbeatStopsIsDownAfterTheHeartbeatTtl() {
		RoutingFixture client = fixtures.create((properties) -> properties.setHeartbeatTtl(Duration.ofSeconds(1)));
		PodHeartbeatPublisher pod1 = client.publish(SVC, 1, 0);
		PodHeartbeatPublisher pod2 = client.publish(SVC, 2, 1);
		pod1.start();
		pod2.start();
		assertThat(client.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(1);

		pod1.halt();
		long stopped = System.nanoTime();
		await("pod 1 to count as DOWN").atMost(Duration.ofSeconds(5)).until(() -> {
			client.registry.refresh();
			return !client.registry.isAvailable(NS, SVC, 1);
		});
		assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("not before its heartbeat TTL")
			.isGreaterThan(Duration.ofMillis(600));
		assertThat(client.registry.isAvailable(NS, SVC, 2)).as("pod 2 keeps beating").isTrue();
		assertThat(client.driver.computeLinkedPod(NS, "u1", SVC)).hasValue(2);
	}

	@Test
	void aGracefullyStoppedPublisherMarksItsPodDraining() {
		RoutingFixture client = fixtures.create();
		PodHeartbeatPublisher pod1 = client.publish(SVC, 1, 0);
		pod1.start();
		assertThat(pod1.isRunning()).isTrue();
		pod1.stop();
		client.registry.refresh();
		assertThat(client.registry.stateOf(NS, SVC, 1)).isEqualTo(PodState.DRAINING);
		assertThat(pod1.isRunning()).isFalse();
	}

	@Test
	void aPodThatDrainedAndThenStopsForGoodIsDownAtOnceAndItsUsersMove() throws Exception {
		RoutingFixture client = fixtures.create();
		PodHeartbeatPublisher pod1 = client.publish(SVC, 1, 0);
		PodHeartbeatPublisher pod2 = client.publish(SVC, 2, 1);
		pod1.start();
		pod2.start();
		assertThat(client.driver.computeLinkedPod(NS, "player", SVC)).hasValue(1);

		pod1.stop(); // graceful shutdown begins: the servers still serve
		client.registry.refresh();
		assertThat(client.driver.computeLinkedPod(NS, "player", SVC)).as("while draining").hasValue(1);

		pod1.destroy(); // the servers have stopped
		client.registry.refresh();
		assertThat(client.registry.stateOf(NS, SVC, 1)).isEqualTo(PodState.DOWN);
		assertThat(client.driver.computeLinkedPod(NS, "player", SVC)).as("on the next call, not after the TTL")
			.hasValue(2);
	}

	@Test
	void aCrashedPublisherPublishesNothingMore() throws Exception {
		RoutingFixture client = fixtures.create();
		PodHeartbeatPublisher pod1 = client.publish(SVC, 1, 0);
		pod1.start();
		pod1.halt();
		pod1.destroy();
		client.registry.refresh();
		assertThat(client.registry.stateOf(NS, SVC, 1)).isEqualTo(PodState.ROUTABLE);
	}

	@Test
	void podsThatLeaveTheRegistryAreAnnouncedToListeners() {
		RoutingFixture client = fixtures.create((properties) -> {
			properties.setHeartbeatTtl(Duration.ofMillis(300));
			properties.setPodRemovalAfter(Duration.ofMillis(300));
		});
		PodHeartbeatPublisher pod1 = client.publish(SVC, 1, 0);
		PodHeartbeatPublisher pod2 = client.publish(SVC, 2, 0);
		assertThat(client.registry.pods(NS, SVC)).containsOnlyKeys(1, 2);
		pod1.halt();
		pod2.start();
		await("pod 1 to be removed").atMost(Duration.ofSeconds(5)).until(() -> {
			client.registry.refresh();
			return client.removed.contains(SVC + "#1");
		});
		assertThat(client.registry.pods(NS, SVC)).containsOnlyKeys(2);
		assertThat(client.removed).containsExactly(SVC + "#1");
	}

	@Test
	void staticPodsAreRoutableAndMergeWithWhatTheyPublish() {
		RoutingFixture client = fixtures.create();
		PodSettings one = new PodSettings(1, GrpcAddress.parse("10.0.0.1:9090"));
		PodSettings two = new PodSettings(2, GrpcAddress.parse("10.0.0.2:9090"));
		client.registry.addStaticPods(SVC, List.of(one, two));
		assertThat(client.registry.pods(NS, SVC)).containsOnlyKeys(1, 2);
		assertThat(client.registry.isRoutable(NS, SVC, 2)).isTrue();

		client.publish(SVC, 2, 0).setState(PodState.DRAINING);
		client.registry.refresh();
		Pod pod2 = client.registry.pods(NS, SVC).get(2);
		assertThat(pod2.state()).isEqualTo(PodState.DRAINING);
		assertThat(pod2.address()).isEqualTo("127.0.0.1:10002");
		assertThat(client.registry.bestPod(NS, SVC)).hasValue(1);
		assertThat(client.registry.bestPod(NS, "unknown")).isEmpty();
		assertThat(client.registry.isAvailable(NS, SVC, 3)).isFalse();
	}

	@Test
	void lowerLoadWinsOverFewerLinks() {
		RoutingFixture client = fixtures.create();
		client.publish(SVC, 1, 0.5);
		client.publish(SVC, 2, 0.2);
		for (int i = 0; i < 4; i++) {
			assertThat(client.driver.computeLinkedPod(NS, "u" + i, SVC)).hasValue(2);
		}
	}

}
