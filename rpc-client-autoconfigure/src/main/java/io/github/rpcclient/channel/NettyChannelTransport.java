package io.github.rpcclient.channel;

import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;

/**
 * Channels on grpc-java's unshaded Netty ({@code io.grpc:grpc-netty}), for applications that use it
 * instead of grpc-netty-shaded.
 */
public class NettyChannelTransport extends AbstractNettyChannelTransport<NettyChannelBuilder> {

	/**
	 * Creates the transport.
	 */
	public NettyChannelTransport() {
		super(NettyChannelBuilder::forTarget, NettyChannelBuilder.class,
				(netty, millis) -> netty.withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis));
	}

}
