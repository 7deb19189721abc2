package io.github.rpcclient.channel;

import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;

/**
 * Channels on grpc-java's shaded Netty ({@code io.grpc:grpc-netty-shaded}), the transport the
 * starter brings.
 */
public class ShadedNettyChannelTransport implements ChannelTransport {

	@Override
	public ManagedChannelBuilder<?> newChannelBuilder(GrpcAddress address, ChannelCredentials credentials,
			ServiceSettings service) {
		return NettyChannelBuilders.create(address, credentials, NettyChannelBuilder::forTarget,
				NettyChannelBuilder.class, (netty) -> netty.withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS,
						ChannelTransport.connectTimeoutMillis(service)));
	}

}
