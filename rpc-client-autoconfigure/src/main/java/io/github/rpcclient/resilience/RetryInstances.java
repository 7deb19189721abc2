package io.github.rpcclient.resilience;


import io.github.rpcclient.config.RetryProperties;
import io.github.rpcclient.config.RetryProperties.BackoffType;
import io.github.resilience4j.common.retry.configuration.CommonRetryConfigurationProperties;
import io.github.resilience4j.common.retry.configuration.CommonRetryConfigurationProperties.InstanceProperties;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.PropertyMapper;
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
	public Retry create(String name, RetryProperties retry) {
		RetryProperties effective = effective(name, retry);
		if (!effective.isEnabled() || effective.getMaxAttempts() <= 1) {
			return null;
		}
		RetryConfig config = RetryConfig.custom()
			.maxAttempts(effective.getMaxAttempts())
			.intervalBiFunction(new BackoffIntervalFunction(effective))
			.retryOnException(StatusFailure::isRetryable)
			.failAfterMaxAttempts(false)
			.writableStackTraceEnabled(false)
			.build();
		if (this.registry.find(name).isPresent()) {
			Retry replacement = Retry.of(name, config, this.registry.getTags());
			this.registry.replace(name, replacement);
			return replacement;
		}
		return this.registry.retry(name, config);
	}

	/**
	 * Returns the settings of an instance with its {@code resilience4j.retry.instances} keys applied.
	 * @param name the instance name
	 * @param retry the {@code grpc-clients} settings
	 * @return a copy with the overrides
	 */
	RetryProperties effective(String name, RetryProperties retry) {
		RetryProperties merged = copy(retry);
		InstanceProperties instance = (this.resilience4jProperties != null)
				? this.resilience4jProperties.getInstances().get(name) : null;
		if (instance == null) {
			return merged;
		}
		PropertyMapper map = PropertyMapper.get().alwaysApplyingWhenNonNull();
		map.from(instance::getMaxAttempts).to(merged::setMaxAttempts);
		map.from(instance::getWaitDuration).to(merged::setBackoff);
		map.from(instance::getEnableExponentialBackoff)
			.as((exponential) -> exponential ? BackoffType.EXPONENTIAL : BackoffType.FIXED)
			.to(merged::setBackoffType);
		map.from(instance::getExponentialBackoffMultiplier).to(merged::setMultiplier);
		map.from(instance::getExponentialMaxWaitDuration).to(merged::setMaxBackoff);
		map.from(instance::getEnableRandomizedWait).whenFalse().to((randomized) -> merged.setJitter(0));
		map.from(instance::getRandomizedWaitFactor).to(merged::setJitter);
		if (merged.getMaxBackoff().compareTo(merged.getBackoff()) < 0) {
			merged.setMaxBackoff(merged.getBackoff());
		}
		return merged;
	}

	private static RetryProperties copy(RetryProperties source) {
		RetryProperties copy = new RetryProperties();
		BeanUtils.copyProperties(source, copy);
		return copy;
	}

}
