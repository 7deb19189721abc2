package io.github.rpcclient.config;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import io.grpc.Status;

/**
 * Retry of failed calls. The wait before attempt n+1 is
 * {@code min(backoff * multiplier^(n-1), max-backoff)}, spread by +/- {@code jitter}: a multiplier
 * of 1 gives a fixed backoff and a zero backoff retries immediately.
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
	 * Status codes that are retried.
	 */
	private Set<Status.Code> retryableStatusCodes = EnumSet.of(Status.Code.UNAVAILABLE);

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

	public Set<Status.Code> getRetryableStatusCodes() {
		return this.retryableStatusCodes;
	}

	public void setRetryableStatusCodes(Set<Status.Code> retryableStatusCodes) {
		this.retryableStatusCodes = retryableStatusCodes;
	}

}
