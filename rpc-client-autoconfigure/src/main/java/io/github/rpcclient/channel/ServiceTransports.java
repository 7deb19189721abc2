package io.github.rpcclient.channel;

import java.util.List;

import io.github.rpcclient.settings.GrpcClientStartupException;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ManagedChannel;

/**
 * Picks the transport channel of each service: the first {@link ServiceTransportProvider} that
 * serves it (stateful services get one channel per pod that way), else a channel to its address
 * from the {@link GrpcChannelFactory}.
 */
public class ServiceTransports {

	private final List<ServiceTransportProvider> providers;

	private final GrpcChannelFactory channelFactory;

	/**
	 * Creates the selector.
	 * @param providers asked first, in order
	 * @param channelFactory builds the channel of every other service
	 */
	public ServiceTransports(List<ServiceTransportProvider> providers, GrpcChannelFactory channelFactory) {
		this.providers = List.copyOf(providers);
		this.channelFactory = channelFactory;
	}

	/**
	 * Returns a new channel for a service.
	 * @param service the service
	 * @return its channel, not connected yet
	 * @throws GrpcClientStartupException for a stateful service when stateful routing is not active
	 */
	public ManagedChannel channelFor(ServiceSettings service) {
		for (ServiceTransportProvider provider : this.providers) {
			ManagedChannel channel = provider.channelFor(service);
			if (channel != null) {
				return channel;
			}
		}
		if (service.stateful()) {
			throw new GrpcClientStartupException("gRPC service '" + service.name()
					+ "' is stateful, but stateful routing is not active: it keeps the links between users and pods "
					+ "in Redis, and no Redis connection is configured.",
					"Add spring-boot-starter-data-redis (Lettuce) and configure spring.data.redis.*, or remove "
							+ "'stateful: true' from the service.");
		}
		return this.channelFactory.create(service);
	}

}
