package io.github.rpcclient.properties;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import io.grpc.Status;

import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Retry of failed calls. The wait before attempt n+1 depends on {@code backoff-type}: exponential
 * {@code backoff * multiplier^(n-1)}, linear {@code backoff * n}, fixed {@code backoff}, or
 * immediate (no wait); it is capped at {@code max-backoff} and spread by +/- {@code jitter}. A
 * multiplier of 1 also gives a fixed backoff and a zero backoff retries immediately. Only unary and
 * server-streaming calls are retried, and only until their first response message.
 */
public class RetryProperties {

	/**
	 * Whether failed calls are retried.
	 */
	private boolean enabled = true;

	/**
	 * Total attempts, the first one included. 1 means no retry.
	 */
	private int maxAttempts = 3;

	/**
	 * Wait before the first retry.
	 */
	private Duration backoff = Duration.ofMillis(100);

	/**
	 * Longest wait between two attempts.
	 */
	private Duration maxBackoff = Duration.ofSeconds(2);

	/**
	 * Factor the wait grows by after each retry. 1 keeps it fixed.
	 */
	private double multiplier = 2.0;

	/**
	 * Random spread of each wait, as a fraction of it (0 to 1).
	 */
	private double jitter = 0.2;

	/**
	 * How the wait grows from one retry to the next.
	 */
	private BackoffType backoffType = BackoffType.EXPONENTIAL;

	/**
	 * Status codes that are retried. Default UNAVAILABLE.
	 */
	private Set<Status.Code> retryableStatusCodes = EnumSet.of(Status.Code.UNAVAILABLE);

	/**
	 * Status codes that are retried in addition for methods whose proto declares
	 * 'idempotency_level' IDEMPOTENT or NO_SIDE_EFFECTS. Default ABORTED, DEADLINE_EXCEEDED
	 * (of the attempt; never past the call's deadline) and INTERNAL.
	 */
	private Set<Status.Code> idempotentRetryableStatusCodes = EnumSet.of(Status.Code.ABORTED,
			Status.Code.DEADLINE_EXCEEDED, Status.Code.INTERNAL);

	/**
	 * Retry budget of the service, shared by all its methods (taken from the service's retry
	 * settings, not a method's).
	 */
	@NestedConfigurationProperty
	private Budget budget = new Budget();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getMaxAttempts() {
		return this.maxAttempts;
	}

	public void setMaxAttempts(int maxAttempts) {
		this.maxAttempts = maxAttempts;
	}

	public Duration getBackoff() {
		return this.backoff;
	}

	public void setBackoff(Duration backoff) {
		this.backoff = backoff;
	}

	public Duration getMaxBackoff() {
		return this.maxBackoff;
	}

	public void setMaxBackoff(Duration maxBackoff) {
		this.maxBackoff = maxBackoff;
	}

	public double getMultiplier() {
		return this.multiplier;
	}

	public void setMultiplier(double multiplier) {
		this.multiplier = multiplier;
	}

	public double getJitter() {
		return this.jitter;
	}

	public void setJitter(double jitter) {
		this.jitter = jitter;
	}

	public BackoffType getBackoffType() {
		return this.backoffType;
	}

	public void setBackoffType(BackoffType backoffType) {
		this.backoffType = backoffType;
	}

	public Set<Status.Code> getIdempotentRetryableStatusCodes() {
		return this.idempotentRetryableStatusCodes;
	}

	public void setIdempotentRetryableStatusCodes(Set<Status.Code> idempotentRetryableStatusCodes) {
		this.idempotentRetryableStatusCodes = idempotentRetryableStatusCodes;
	}

	public Budget getBudget() {
		return this.budget;
	}

	public void setBudget(Budget budget) {
		this.budget = budget;
	}

	public Set<Status.Code> getRetryableStatusCodes() {
		return this.retryableStatusCodes;
	}

	public void setRetryableStatusCodes(Set<Status.Code> retryableStatusCodes) {
		this.retryableStatusCodes = retryableStatusCodes;
	}

	/**
	 * How the wait between attempts grows.
	 */
	public enum BackoffType {

		/** {@code backoff * multiplier^(n-1)}. */
		EXPONENTIAL,

		/** {@code backoff * n}. */
		LINEAR,

		/** Always {@code backoff}. */
		FIXED,

		/** No wait. */
		IMMEDIATE

	}

	/**
	 * Retry budget that stops retry storms and scales with traffic, like Finagle's: retries may
	 * add up to {@code ratio} of the calls made in the last {@code window}, plus
	 * {@code min-retries-per-second} so that a service with little traffic still retries.
	 */
	public static class Budget {

		/**
		 * Whether retries are limited by the budget.
		 */
		private boolean enabled = true;

		/**
		 * Retries allowed per call made in the window, from 0 to 1000: 0.2 lets retries add 20% to
		 * the attempts.
		 */
		private double ratio = 0.2;

		/**
		 * How far back calls and retries are counted, from 1s to 60s.
		 */
		private Duration window = Duration.ofSeconds(10);

		/**
		 * Retries allowed per second beyond the ratio (counted over the last second), so that a
		 * service with little traffic still retries. A rate, not a reserve: unused retries do not
		 * accumulate.
		 */
		private int minRetriesPerSecond = 10;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public double getRatio() {
			return this.ratio;
		}

		public void setRatio(double ratio) {
			this.ratio = ratio;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

		public int getMinRetriesPerSecond() {
			return this.minRetriesPerSecond;
		}

		public void setMinRetriesPerSecond(int minRetriesPerSecond) {
			this.minRetriesPerSecond = minRetriesPerSecond;
		}

	}

}
