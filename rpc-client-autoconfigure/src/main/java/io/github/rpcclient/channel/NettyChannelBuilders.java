package io.github.rpcclient.channel;

import java.util.function.BiFunction;
import java.util.function.Consumer;

import io.github.rpcclient.settings.GrpcAddress;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannelBuilder;

/**
 * What the shaded and the unshaded Netty transports share: Unix-socket addresses go through
 * grpc-java's own UDS channel provider (which sets up the epoll domain-socket channel), every other
 * address through the transport's {@code NettyChannelBuilder.forTarget}, and the connect timeout
 * is applied to whichever Netty builder results.
 */
final class NettyChannelBuilders {

	private NettyChannelBuilders() {
	}

	static <B extends ManagedChannelBuilder<?>> ManagedChannelBuilder<?> create(GrpcAddress address,
			ChannelCredentials credentials, BiFunction<String, ChannelCredentials, B> forTarget, Class<B> nettyType,
			Consumer<B> connectTimeout) {
		ManagedChannelBuilder<?> builder = (address.kind() == GrpcAddress.Kind.UNIX)
				? Grpc.newChannelBuilder(address.target(), credentials) : forTarget.apply(address.target(), credentials);
		if (nettyType.isInstance(builder)) {
			connectTimeout.accept(nettyType.cast(builder));
		}
		return builder;
	}

}
