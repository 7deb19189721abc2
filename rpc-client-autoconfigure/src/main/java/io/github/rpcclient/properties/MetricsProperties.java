package io.github.rpcclient.properties;

/**
 * Meters of the clients: the {@code grpc.client.calls} timer of logical calls, the channel state
 * and in-flight gauges, and the near-cache, Redis and pod meters of stateful routing. Needs a
 * MeterRegistry, as Spring Boot Actuator provides.
 */
public class MetricsProperties {

	/**
	 * Whether the clients' meters are registered.
	 */
	private boolean enabled = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
