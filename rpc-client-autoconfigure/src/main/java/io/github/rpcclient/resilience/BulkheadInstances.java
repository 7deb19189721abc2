package io.github.rpcclient.resilience;

import java.time.Duration;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.common.bulkhead.configuration.CommonBulkheadConfigurationProperties.InstanceProperties;
import io.github.resilience4j.common.bulkhead.configuration.CommonBulkheadConfigurationProperties;
import io.github.rpcclient.settings.BulkheadSettings;

import org.springframework.lang.Nullable;

/**
 * Creates the Resilience4j semaphore {@link Bulkhead} instances of gRPC services in the
 * application's {@link BulkheadRegistry}, so Resilience4j's actuator endpoints and metrics show
 * them. A service's bulkhead is named after the service.
 * <p>
 * An instance is built from the {@code grpc-clients} bulkhead settings of its service; then
 * {@code resilience4j.bulkhead.instances.<name>.max-concurrent-calls}, when set, replaces the
 * limit. A call over the limit never waits for a place ({@code max-wait-duration} is always zero
 * and a key of that name is not applied): it fails at once, so the caller's thread never blocks.
 * The application's event consumers of an instance cannot fail the calls that publish to them
 * (see {@link EventConsumerIsolation}).
 */
public class BulkheadInstances {

	private final BulkheadRegistry registry;

	@Nullable
	private final CommonBulkheadConfigurationProperties resilience4jProperties;

	/**
	 * Creates the factory.
	 * @param registry the registry to create the instances in
	 * @param resilience4jProperties the {@code resilience4j.bulkhead} settings, if any
	 */
	public BulkheadInstances(BulkheadRegistry registry,
			@Nullable CommonBulkheadConfigurationProperties resilience4jProperties) {
		this.registry = registry;
		this.resilience4jProperties = resilience4jProperties;
	}

	/**
	 * Creates or replaces the bulkhead of a name.
	 * @param name the bulkhead name
	 * @param settings the {@code grpc-clients} settings
	 * @return the bulkhead
	 */
	public Bulkhead create(String name, BulkheadSettings settings) {
		BulkheadConfig config = config(name, settings);
		return EventConsumerIsolation.register(this.registry, name, Bulkhead.class,
				Bulkhead.of(name, config, this.registry.getTags()), () -> this.registry.bulkhead(name, config), "bulkhead");
	}

	/**
	 * Names the property the limit of an instance comes from, for messages.
	 * @param name the bulkhead name, which is the service name
	 * @param settings the {@code grpc-clients} settings
	 * @return the property and its value, such as
	 * {@code grpc-clients.services[orders].bulkhead.max-concurrent-calls=10}
	 */
	String limitProperty(String name, BulkheadSettings settings) {
		InstanceProperties instance = instance(name);
		if (instance != null && instance.getMaxConcurrentCalls() != null) {
			return "resilience4j.bulkhead.instances." + name + ".max-concurrent-calls=" + instance.getMaxConcurrentCalls();
		}
		return "grpc-clients.services[" + name + "].bulkhead.max-concurrent-calls=" + settings.maxConcurrentCalls();
	}

	BulkheadConfig config(String name, BulkheadSettings settings) {
		InstanceProperties instance = instance(name);
		int limit = (instance != null && instance.getMaxConcurrentCalls() != null) ? instance.getMaxConcurrentCalls()
				: settings.maxConcurrentCalls();
		return BulkheadConfig.custom()
			.maxConcurrentCalls(limit)
			// never wait for a place: a full bulkhead fails the call at once
			.maxWaitDuration(Duration.ZERO)
			.fairCallHandlingStrategyEnabled(false)
			.writableStackTraceEnabled(false)
			.build();
	}

	@Nullable
	private InstanceProperties instance(String name) {
		return (this.resilience4jProperties != null) ? this.resilience4jProperties.getInstances().get(name) : null;
	}

}
