package io.github.rpcclient.actuate;

import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.binder.grpc.DefaultGrpcClientObservationConvention;
import io.micrometer.core.instrument.binder.grpc.GrpcClientObservationContext;

/**
 * Micrometer's gRPC client observation convention plus the configured service name as the
 * low-cardinality key {@value #KEY}, so metrics can be told apart per service even when two
 * services implement the same proto service.
 */
public class ServiceNameObservationConvention extends DefaultGrpcClientObservationConvention {

	/** The key holding the configured service name. */
	public static final String KEY = "grpc.client.name";

	private final String serviceName;

	/**
	 * Creates the convention of one service.
	 * @param serviceName the configured service name
	 */
	public ServiceNameObservationConvention(String serviceName) {
		this.serviceName = serviceName;
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(GrpcClientObservationContext context) {
		return super.getLowCardinalityKeyValues(context).and(KEY, this.serviceName);
	}

}
