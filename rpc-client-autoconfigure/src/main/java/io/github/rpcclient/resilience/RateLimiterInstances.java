package io.github.rpcclient.resilience;

import java.time.Duration;

import io.github.resilience4j.common.ratelimiter.configuration.CommonRateLimiterConfigurationProperties.InstanceProperties;
import io.github.resilience4j.common.ratelimiter.configuration.CommonRateLimiterConfigurationProperties;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.rpcclient.settings.ConfigurationViolation;
import io.github.rpcclient.settings.RateLimiterSettings;

import org.springframework.lang.Nullable;

/**
 * Creates the Resilience4j {@link RateLimiter} instances of gRPC services in the application's
 * {@link RateLimiterRegistry}, so Resilience4j's actuator endpoints and metrics show them. A
 * service's rate limiter is named after the service.
 * <p>
 * An instance is built from the {@code grpc-clients} rate-limiter settings of its service; then
 * every key set under {@code resilience4j.ratelimiter.instances.<name>} among
 * {@code limit-for-period} and {@code limit-refresh-period} replaces the matching setting. A call
 * over the limit never waits for the next period ({@code timeout-duration} is always zero and a key
 * of that name is not applied): it fails at once, so the caller's thread never blocks.
 * The application's event consumers of an instance cannot fail the calls that publish to them
 * (see {@link EventConsumerIsolation}).
 */
public class RateLimiterInstances {

	private final RateLimiterRegistry registry;

	@Nullable
	private final CommonRateLimiterConfigurationProperties resilience4jProperties;

	/**
	 * Creates the factory.
	 * @param registry the registry to create the instances in
	 * @param resilience4jProperties the {@code resilience4j.ratelimiter} settings, if any
	 */
	public RateLimiterInstances(RateLimiterRegistry registry,
			@Nullable CommonRateLimiterConfigurationProperties resilience4jProperties) {
		this.registry = registry;
		this.resilience4jProperties = resilience4jProperties;
	}

	/**
	 * Creates or replaces the rate limiter of a name.
	 * @param name the rate limiter name
	 * @param settings the {@code grpc-clients} settings
	 * @return the rate limiter
	 */
	public RateLimiter create(String name, RateLimiterSettings settings) {
		RateLimiterConfig config = config(name, settings);
		return EventConsumerIsolation.register(this.registry, name, RateLimiter.class,
				RateLimiter.of(name, config, this.registry.getTags()), () -> this.registry.rateLimiter(name, config),
				"rate limiter");
	}

	/**
	 * Names the properties the limit of an instance comes from, for messages.
	 * @param name the rate limiter name, which is the service name
	 * @param settings the {@code grpc-clients} settings
	 * @return the properties and their values, such as
	 * {@code grpc-clients.services[orders].rate-limiter.limit-for-period=100, ...limit-refresh-period=1s}
	 */
	String limitProperties(String name, RateLimiterSettings settings) {
		InstanceProperties instance = instance(name);
		String grpcClients = "grpc-clients.services[" + name + "].rate-limiter.";
		String resilience4j = "resilience4j.ratelimiter.instances." + name + ".";
		boolean ownLimit = instance != null && instance.getLimitForPeriod() != null;
		boolean ownPeriod = instance != null && instance.getLimitRefreshPeriod() != null;
		return (ownLimit ? resilience4j : grpcClients) + "limit-for-period="
				+ (ownLimit ? instance.getLimitForPeriod() : settings.limitForPeriod()) + ", "
				+ (ownPeriod ? resilience4j : grpcClients) + "limit-refresh-period="
				+ ConfigurationViolation.format(ownPeriod ? instance.getLimitRefreshPeriod() : settings.limitRefreshPeriod());
	}

	RateLimiterConfig config(String name, RateLimiterSettings settings) {
		InstanceProperties instance = instance(name);
		Integer limit = (instance != null) ? instance.getLimitForPeriod() : null;
		Duration period = (instance != null) ? instance.getLimitRefreshPeriod() : null;
		return RateLimiterConfig.custom()
			.limitForPeriod((limit != null) ? limit : settings.limitForPeriod())
			.limitRefreshPeriod((period != null) ? period : settings.limitRefreshPeriod())
			// never wait for the next period: a spent limit fails the call at once
			.timeoutDuration(Duration.ZERO)
			.writableStackTraceEnabled(false)
			.build();
	}

	@Nullable
	private InstanceProperties instance(String name) {
		return (this.resilience4jProperties != null) ? this.resilience4jProperties.getInstances().get(name) : null;
	}

}
