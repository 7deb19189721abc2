package io.github.rpcclient.properties;

/**
 * Bulkhead of a service: a cap on its calls in flight. A call over the cap fails at once with
 * RESOURCE_EXHAUSTED, without being sent or waiting for a free place.
 */
public class BulkheadProperties {

	/**
	 * Whether the calls of the service pass a bulkhead.
	 */
	private boolean enabled = false;

	/**
	 * Most calls of the service in flight at once, from start to final close (a streaming call
	 * holds its place until it ends; retries of a call use its place).
	 */
	private int maxConcurrentCalls = 100;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getMaxConcurrentCalls() {
		return this.maxConcurrentCalls;
	}

	public void setMaxConcurrentCalls(int maxConcurrentCalls) {
		this.maxConcurrentCalls = maxConcurrentCalls;
	}

}
