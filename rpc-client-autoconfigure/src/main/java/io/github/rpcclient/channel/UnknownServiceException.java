package io.github.rpcclient.channel;

import java.util.Collection;
import java.util.TreeSet;

/**
 * Thrown when a service name is not known to the {@link ManagedChannelRegistry}.
 */
public class UnknownServiceException extends IllegalArgumentException {

	private final String serviceName;

	/**
	 * Creates the exception.
	 * @param serviceName the name asked for
	 * @param knownNames the names that are known
	 */
	public UnknownServiceException(String serviceName, Collection<String> knownNames) {
		super("No gRPC service named '" + serviceName + "'. Known services: " + new TreeSet<>(knownNames)
				+ ". Add it under grpc-clients.services[] or register it with ManagedChannelRegistry.register(...)");
		this.serviceName = serviceName;
	}

	/**
	 * @return the name asked for
	 */
	public String getServiceName() {
		return this.serviceName;
	}

}
