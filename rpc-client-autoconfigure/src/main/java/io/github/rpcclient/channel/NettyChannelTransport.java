package io.github.rpcclient.channel;

import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;

/**
 * Channels on grpc-java's unshaded Netty ({@code io.grpc:grpc-netty}), for applications that use it
 * instead of grpc-netty-shaded.
 */
public class NettyChannelTransport implements ChannelTransport {

	@Override
	public ManagedChannelBuilder<?> newChannelBuilder(GrpcAddress address, ChannelCredentials credentials,
			ServiceSettings service) {
		return NettyChannelBuilders.create(address, credentials, NettyChannelBuilder::forTarget,
				NettyChannelBuilder.class, (netty) -> netty.withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS,
						ChannelTransport.connectTimeoutMillis(service)));
	}

}
