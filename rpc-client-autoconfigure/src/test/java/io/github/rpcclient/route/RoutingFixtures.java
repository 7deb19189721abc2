package io.github.rpcclient.route;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Redis for a test class, emptied before each test, and the {@link RoutingFixture client
 * instances} a test creates on it, closed after the test.
 */
final class RoutingFixtures implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

	private final EmbeddedRedis redis = EmbeddedRedis.start();

	private final List<RoutingFixture> created = new CopyOnWriteArrayList<>();

	EmbeddedRedis redis() {
		return this.redis;
	}

	/** Creates a client instance with its own connection factory. */
	RoutingFixture create(Consumer<RoutingProperties> customizer) {
		RoutingFixture fixture = new RoutingFixture(this.redis, customizer);
		this.created.add(fixture);
		return fixture;
	}

	/** Creates a client instance with the default settings. */
	RoutingFixture create() {
		return create((properties) -> {
		});
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.redis.run((commands) -> commands.flushall());
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.created.forEach(RoutingFixture::close);
		this.created.clear();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		this.redis.close();
	}

}
