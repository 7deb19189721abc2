package io.github.rpcclient.channel;

import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannelBuilder;

/**
 * The network transport that channels to network addresses (DNS names, static lists, resolver
 * schemes, Unix sockets) are built on: grpc-java's Netty (shaded or not) or OkHttp, whichever the
 * application has, in that order. In-process addresses never use it. Define a bean of this type to
 * choose or configure the transport yourself.
 */
@FunctionalInterface
public interface ChannelTransport {

	/**
	 * Creates the builder of a channel, with the transport's own connect timeout applied.
	 * @param address where the channel connects, never an in-process address
	 * @param credentials plaintext, TLS or mutual TLS
	 * @param service the settings of the service the channel is for
	 * @return the builder; the service's other settings are applied to it afterwards
	 */
	ManagedChannelBuilder<?> newChannelBuilder(GrpcAddress address, ChannelCredentials credentials,
			ServiceSettings service);

	/**
	 * @param service the settings
	 * @return the service's connect timeout in whole milliseconds, as socket options take it
	 */
	static int connectTimeoutMillis(ServiceSettings service) {
		return (int) Math.min(Integer.MAX_VALUE, service.connectTimeout().toMillis());
	}

}
