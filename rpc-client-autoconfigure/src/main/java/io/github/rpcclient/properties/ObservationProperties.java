package io.github.rpcclient.properties;

/**
 * Observation of calls with Micrometer: a {@code grpc.client} timer per attempt (and a span when
 * tracing is on), tagged with the service name. Needs an ObservationRegistry, as Spring Boot
 * Actuator provides.
 */
public class ObservationProperties {

	/**
	 * Whether calls are observed.
	 */
	private boolean enabled = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
