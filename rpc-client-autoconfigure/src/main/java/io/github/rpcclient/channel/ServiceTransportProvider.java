package io.github.rpcclient.channel;

import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ManagedChannel;

import org.springframework.lang.Nullable;

/**
 * Builds the transport of services that need more than one channel to one address, such as a
 * stateful service whose calls go to one of its pods. The registry asks every bean of this type,
 * in order, before building the usual channel with {@link GrpcChannelFactory}.
 */
@FunctionalInterface
public interface ServiceTransportProvider {

	/**
	 * Returns the channel to use for a service.
	 * @param service the service's settings
	 * @return the channel, or {@code null} to leave the service to the next provider or the
	 * default channel
	 */
	@Nullable
	ManagedChannel channelFor(ServiceSettings service);

}
