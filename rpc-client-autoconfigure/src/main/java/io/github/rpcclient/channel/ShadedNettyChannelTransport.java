package io.github.rpcclient.channel;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;

/**
 * Channels on grpc-java's shaded Netty ({@code io.grpc:grpc-netty-shaded}), the transport the
 * starter brings.
 */
public class ShadedNettyChannelTransport extends AbstractNettyChannelTransport<NettyChannelBuilder> {

	/**
	 * Creates the transport.
	 */
	public ShadedNettyChannelTransport() {
		super(NettyChannelBuilder::forTarget, NettyChannelBuilder.class,
				(netty, millis) -> netty.withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis));
	}

}
