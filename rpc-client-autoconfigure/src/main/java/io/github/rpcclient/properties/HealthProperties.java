package io.github.rpcclient.properties;

/**
 * The {@code grpcClients} health indicator ({@code management.health.grpc-clients.enabled}
 * switches it on or off). Only services with {@code connect: required} change its status.
 */
public class HealthProperties {

	/**
	 * Status reported while a required service's channel is in TRANSIENT_FAILURE: OUT_OF_SERVICE
	 * (the default), DOWN, or any status the health groups know.
	 */
	private String transientFailureStatus = "OUT_OF_SERVICE";

	public String getTransientFailureStatus() {
		return this.transientFailureStatus;
	}

	public void setTransientFailureStatus(String transientFailureStatus) {
		this.transientFailureStatus = transientFailureStatus;
	}

}
