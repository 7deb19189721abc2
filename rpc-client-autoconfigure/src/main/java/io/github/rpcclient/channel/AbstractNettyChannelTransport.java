package io.github.rpcclient.channel;

import java.util.function.BiFunction;
import java.util.function.ObjIntConsumer;

import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannelBuilder;

/**
 * What the shaded and the unshaded Netty transports share: Unix-socket addresses go through
 * grpc-java's own UDS channel provider (which sets up the epoll domain-socket channel), every other
 * address through the transport's {@code NettyChannelBuilder.forTarget}, and the service's connect
 * timeout is applied to whichever Netty builder results. Subclasses name their Netty.
 *
 * @param <B> the transport's {@code NettyChannelBuilder}
 */
public abstract class AbstractNettyChannelTransport<B extends ManagedChannelBuilder<B>> implements ChannelTransport {

	private final BiFunction<String, ChannelCredentials, B> forTarget;

	private final Class<B> builderType;

	private final ObjIntConsumer<B> connectTimeoutMillis;

	/**
	 * Creates the transport.
	 * @param forTarget the transport's {@code NettyChannelBuilder::forTarget}
	 * @param builderType the transport's {@code NettyChannelBuilder}
	 * @param connectTimeoutMillis sets the connect timeout on a builder
	 */
	protected AbstractNettyChannelTransport(BiFunction<String, ChannelCredentials, B> forTarget, Class<B> builderType,
			ObjIntConsumer<B> connectTimeoutMillis) {
		this.forTarget = forTarget;
		this.builderType = builderType;
		this.connectTimeoutMillis = connectTimeoutMillis;
	}

	@Override
	public ManagedChannelBuilder<?> newChannelBuilder(GrpcAddress address, ChannelCredentials credentials,
			ServiceSettings service) {
		ManagedChannelBuilder<?> builder = (address.kind() == GrpcAddress.Kind.UNIX)
				? Grpc.newChannelBuilder(address.target(), credentials)
				: this.forTarget.apply(address.target(), credentials);
		if (this.builderType.isInstance(builder)) {
			this.connectTimeoutMillis.accept(this.builderType.cast(builder),
					ChannelTransport.connectTimeoutMillis(service));
		}
		return builder;
	}

}
