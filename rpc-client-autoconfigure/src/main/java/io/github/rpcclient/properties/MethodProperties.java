package io.github.rpcclient.properties;

import java.time.Duration;

import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Overrides for one method of a service.
 */
public class MethodProperties {

	/**
	 * Full method name, 'package.Service/Method', as in the proto file.
	 */
	private String name;

	/**
	 * Deadline for calls of this method that carry none of their own, for any call type. Zero means
	 * no deadline. Unset takes the service's 'timeout'.
	 */
	private Duration timeout;

	/**
	 * Retry of this method. Unset keys take the service's retry settings.
	 */
	@NestedConfigurationProperty
	private RetryProperties retry;

	/**
	 * Hedging of this method's calls, on top of the service's hedging settings; hedges the method
	 * whatever its idempotency. A method with its own {@code retry} block cannot also be hedged.
	 */
	@NestedConfigurationProperty
	private HedgingProperties hedging;

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public HedgingProperties getHedging() {
		return this.hedging;
	}

	public void setHedging(HedgingProperties hedging) {
		this.hedging = hedging;
	}

	public RetryProperties getRetry() {
		return this.retry;
	}

	public void setRetry(RetryProperties retry) {
		this.retry = retry;
	}

}
