package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.settings.RoutingSettings;
import io.github.rpcclient.settings.RoutingSettingsFactory;
import io.github.rpcclient.test.EmbeddedRedis;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A driver, pod registry and publishers on their own connection factory to a real Redis, built
 * without Spring, as one client instance of a stateful service would have them.
 */
final class RoutingFixture implements AutoCloseable {

	static final String NS = "test-ns";

	/** The stateful services every fixture is configured with. */
	static final List<String> SERVICES = List.of("game", "chat", "session");

	final RoutingProperties properties = new RoutingProperties();

	final LettuceConnectionFactory connectionFactory;

	final RouteStore store;

	final PodRegistry registry;

	final StatefulRouteDriver driver;

	final LinkChangeSubscriber subscriber;

	final List<String> removed = new ArrayList<>();

	private final List<PodHeartbeatPublisher> publishers = new ArrayList<>();

	RoutingFixture(EmbeddedRedis redis, Consumer<RoutingProperties> customizer) {
		this(redis::newConnectionFactory, customizer);
	}

	RoutingFixture(Supplier<LettuceConnectionFactory> connections, Consumer<RoutingProperties> customizer) {
		this.properties.setNamespace(NS);
		this.properties.setCommandTimeout(Duration.ofSeconds(1));
		customizer.accept(this.properties);
		this.connectionFactory = connections.get();
		this.store = new RouteStore(this.connectionFactory, this.properties.getCommandTimeout());
		RoutingSettings settings = RoutingSettingsFactory.resolve(this.properties);
		this.registry = new PodRegistry(this.store, settings,
				() -> List.of((service, index) -> this.removed.add(service + "#" + index)));
		SERVICES.forEach((service) -> this.registry.addStaticPods(service, List.of()));
		this.driver = new StatefulRouteDriver(this.store, this.registry, settings);
		this.subscriber = new LinkChangeSubscriber(this.store, this.driver, Duration.ofMillis(200));
		this.subscriber.start();
		await("relink subscription").atMost(Duration.ofSeconds(5)).until(this.subscriber::isSubscribed);
	}

	RoutingFixture(EmbeddedRedis redis) {
		this(redis, (properties) -> {
		});
	}

	/** Registers a stateful service, as start-up does for each configured one. */
	RoutingFixture stateful(String service) {
		this.registry.addStaticPods(service, List.of());
		return this;
	}

	/** Publishes a pod (once, no heartbeat thread) and returns its publisher. */
	PodHeartbeatPublisher publish(String service, int index, double load) {
		return publish(service, index, load, "127.0.0.1:" + (10000 + index));
	}

	/** Publishes a pod at an address (once, no heartbeat thread) and returns its publisher. */
	PodHeartbeatPublisher publish(String service, int index, double load, String address) {
		RoutingProperties pod = new RoutingProperties();
		pod.setNamespace(this.properties.getNamespace());
		pod.setKeyPrefix(this.properties.getKeyPrefix());
		pod.setHeartbeatTtl(this.properties.getHeartbeatTtl());
		pod.setPodRemovalAfter(this.properties.getPodRemovalAfter());
		pod.setCommandTimeout(this.properties.getCommandTimeout());
		pod.getPublish().setService(service);
		pod.getPublish().setIndex(index);
		pod.getPublish().setAddress(address);
		pod.getPublish().setInterval(this.properties.getHeartbeatTtl().dividedBy(5));
		pod.getPublish().setEnabled(true);
		PodHeartbeatPublisher publisher = new PodHeartbeatPublisher(this.store, RoutingSettingsFactory.resolve(pod),
				() -> load);
		publisher.publish();
		this.publishers.add(publisher);
		this.registry.refresh();
		return publisher;
	}

	/**
	 * Checks that a relink made by one client reaches another's near cache: both link a user to
	 * pod 1 of a service, pod 1 goes DOWN, {@code a} relinks the user to pod 2, and {@code b} drops
	 * its cached link within 2 s and then routes the user to pod 2.
	 * @param a the client that relinks
	 * @param b the other client
	 * @param service a stateful service without pods yet
	 */
	static void assertRelinkReaches(RoutingFixture a, RoutingFixture b, String service) {
		PodHeartbeatPublisher pod1 = a.publish(service, 1, 0);
		a.publish(service, 2, 1);
		b.registry.refresh();
		assertThat(a.driver.computeLinkedPod(NS, "u1", service)).hasValue(1);
		assertThat(b.driver.computeLinkedPod(NS, "u1", service)).hasValue(1);
		pod1.setState(PodState.DOWN);
		a.registry.refresh();
		assertThat(a.driver.computeLinkedPod(NS, "u1", service)).hasValue(2);
		await("B's near cache to drop the old link").atMost(Duration.ofSeconds(2))
			.until(() -> b.driver.getLinkedInCache(NS, "u1", service).isEmpty());
		assertThat(b.driver.computeLinkedPod(NS, "u1", service)).hasValue(2);
	}

	@Override
	public void close() {
		this.publishers.forEach(PodHeartbeatPublisher::halt);
		this.subscriber.stop();
		this.registry.close();
		this.connectionFactory.destroy();
	}

}
