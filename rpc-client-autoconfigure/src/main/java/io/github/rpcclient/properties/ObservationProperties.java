package io.github.rpcclient.properties;

/**
 * Measurement of calls with Micrometer: a {@code grpc.client} timer per attempt (and a span when
 * tracing is on), tagged with the service name. Needs an ObservationRegistry, as Spring Boot
 * Actuator provides.
 */
public class ObservationProperties {

	/**
	 * Whether calls are measured.
	 */
	private boolean enabled = true;

	/**
	 * How calls are measured. 'auto' uses meters resolved once per service, method and status
	 * when nothing but metrics would see an observation, and Micrometer's full observation when a
	 * tracer or another observation handler, filter or gRPC convention is registered; 'metrics'
	 * and 'observation' force either. Both record the same meters.
	 */
	private ObservationMode mode = ObservationMode.AUTO;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public ObservationMode getMode() {
		return this.mode;
	}

	public void setMode(ObservationMode mode) {
		this.mode = mode;
	}

	/** How calls are measured. */
	public enum ObservationMode {

		/** Metrics alone unless something else would see the observation. */
		AUTO,

		/** Meters resolved once per service, method and status; no observation. */
		METRICS,

		/** Micrometer's full observation of every attempt. */
		OBSERVATION

	}

}
