package io.github.rpcclient.resilience;

import java.time.Duration;

import io.github.resilience4j.common.retry.configuration.CommonRetryConfigurationProperties.InstanceProperties;
import io.github.resilience4j.common.retry.configuration.CommonRetryConfigurationProperties;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.rpcclient.properties.RetryProperties.BackoffType;
import io.github.rpcclient.settings.RetrySettings;

import org.springframework.lang.Nullable;

/**
 * Creates the Resilience4j {@link Retry} instances of gRPC services in the application's
 * {@link RetryRegistry}, so Resilience4j's actuator endpoints and metrics show them.
 * <p>
 * An instance is built from the {@code grpc-clients} retry settings of its service (or method);
 * then every key set under {@code resilience4j.retry.instances.<name>} replaces the matching
 * setting: {@code max-attempts}, {@code wait-duration} (backoff), {@code enable-exponential-backoff}
 * (backoff type exponential, or fixed if false), {@code exponential-backoff-multiplier},
 * {@code exponential-max-wait-duration} (max backoff), {@code enable-randomized-wait} (false: no
 * jitter) and {@code randomized-wait-factor} (jitter). Which status codes are retried always comes
 * from {@code grpc-clients}.
 * <p>
 * The application's event consumers of an instance cannot fail the calls that publish to them
 * (see {@link EventConsumerIsolation}).
 */
public class RetryInstances {

	private final RetryRegistry registry;

	@Nullable
	private final CommonRetryConfigurationProperties resilience4jProperties;

	/**
	 * Creates the factory.
	 * @param registry the registry to create the instances in
	 * @param resilience4jProperties the {@code resilience4j.retry} settings, if any
	 */
	public RetryInstances(RetryRegistry registry, @Nullable CommonRetryConfigurationProperties resilience4jProperties) {
		this.registry = registry;
		this.resilience4jProperties = resilience4jProperties;
	}

	/**
	 * Creates or replaces the retry instance of a name.
	 * @param name the instance name: the service name, or {@code service/package.Service/Method}
	 * @param retry the {@code grpc-clients} settings
	 * @return the instance, or {@code null} if the merged settings allow no retry
	 */
	@Nullable
	public Retry create(String name, RetrySettings retry) {
		RetrySettings effective = effective(name, retry);
		if (!effective.enabled() || effective.maxAttempts() <= 1) {
			return null;
		}
		RetryConfig config = RetryConfig.custom()
			.maxAttempts(effective.maxAttempts())
			.intervalBiFunction(new BackoffIntervalFunction(effective))
			.retryOnException(StatusFailure::isRetryable)
			.failAfterMaxAttempts(false)
			.writableStackTraceEnabled(false)
			.build();
		return EventConsumerIsolation.register(this.registry, name, Retry.class,
				Retry.of(name, config, this.registry.getTags()), () -> this.registry.retry(name, config), "retry");
	}

	/**
	 * Returns the settings of an instance with its {@code resilience4j.retry.instances} keys applied.
	 * @param name the instance name
	 * @param retry the {@code grpc-clients} settings
	 * @return the settings with the overrides
	 */
	RetrySettings effective(String name, RetrySettings retry) {
		InstanceProperties instance = (this.resilience4jProperties != null)
				? this.resilience4jProperties.getInstances().get(name) : null;
		if (instance == null) {
			return retry;
		}
		Duration backoff = or(instance.getWaitDuration(), retry.backoff());
		Duration maxBackoff = or(instance.getExponentialMaxWaitDuration(), retry.maxBackoff());
		BackoffType type = (instance.getEnableExponentialBackoff() == null) ? retry.backoffType()
				: instance.getEnableExponentialBackoff() ? BackoffType.EXPONENTIAL : BackoffType.FIXED;
		double jitter = Boolean.FALSE.equals(instance.getEnableRandomizedWait()) ? 0 : retry.jitter();
		return new RetrySettings(retry.enabled(), or(instance.getMaxAttempts(), retry.maxAttempts()), backoff,
				(maxBackoff.compareTo(backoff) < 0) ? backoff : maxBackoff,
				or(instance.getExponentialBackoffMultiplier(), retry.multiplier()),
				or(instance.getRandomizedWaitFactor(), jitter), type, retry.retryableStatusCodes(),
				retry.idempotentRetryableStatusCodes(), retry.budget());
	}

	private static <T> T or(@Nullable T override, T value) {
		return (override != null) ? override : value;
	}

}
