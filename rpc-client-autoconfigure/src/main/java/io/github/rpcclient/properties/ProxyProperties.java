package io.github.rpcclient.properties;

import java.time.Duration;

/**
 * How an {@code RpcProxy} streams to the pods of a stateful service (one bidirectional stream per
 * pod, shared by the users linked to it).
 */
public class ProxyProperties {

	/**
	 * Most calls pending on one pod's stream (queued or awaiting their response). A call beyond
	 * it fails at once with RESOURCE_EXHAUSTED, so a slow pod cannot grow memory without bound.
	 */
	private int maxPendingCalls = 1000;

	/**
	 * Wait before reopening a pod's stream after it broke; doubled after each stream that broke
	 * without a response, up to 'max-reconnect-backoff'. Calls in the wait fail at once with
	 * UNAVAILABLE.
	 */
	private Duration reconnectBackoff = Duration.ofMillis(100);

	/**
	 * Longest wait before reopening a pod's stream.
	 */
	private Duration maxReconnectBackoff = Duration.ofSeconds(5);

	public int getMaxPendingCalls() {
		return this.maxPendingCalls;
	}

	public void setMaxPendingCalls(int maxPendingCalls) {
		this.maxPendingCalls = maxPendingCalls;
	}

	public Duration getReconnectBackoff() {
		return this.reconnectBackoff;
	}

	public void setReconnectBackoff(Duration reconnectBackoff) {
		this.reconnectBackoff = reconnectBackoff;
	}

	public Duration getMaxReconnectBackoff() {
		return this.maxReconnectBackoff;
	}

	public void setMaxReconnectBackoff(Duration maxReconnectBackoff) {
		this.maxReconnectBackoff = maxReconnectBackoff;
	}

}
