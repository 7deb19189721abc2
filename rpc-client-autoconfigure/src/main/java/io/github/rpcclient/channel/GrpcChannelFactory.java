package io.github.rpcclient.channel;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.config.ChannelProperties;
import io.github.rpcclient.config.ServiceProperties;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;

/**
 * Builds the {@link ManagedChannel} of a service from its settings: Netty (grpc-netty-shaded) for
 * network and Unix-socket addresses, in-process transport for {@code in-process:} addresses.
 */
public class GrpcChannelFactory {

	private final ChannelCredentialsFactory credentialsFactory;

	private final List<GrpcChannelCustomizer> customizers;

	/**
	 * Creates the factory.
	 * @param credentialsFactory creates the TLS or plaintext credentials
	 * @param customizers customizers applied to every builder, in order
	 */
	public GrpcChannelFactory(ChannelCredentialsFactory credentialsFactory, List<GrpcChannelCustomizer> customizers) {
		this.credentialsFactory = credentialsFactory;
		this.customizers = List.copyOf(customizers);
	}

	/**
	 * Builds the channel of a service. Nothing connects until the channel is used or asked to.
	 * @param service the service, already validated
	 * @return the channel
	 */
	public ManagedChannel create(ServiceProperties service) {
		return create(service, service.getAddress());
	}

	/**
	 * Builds a channel with a service's settings to one of its addresses (a pod, say).
	 * @param service the service, already validated
	 * @param address the address to connect to
	 * @return the channel
	 */
	public ManagedChannel create(ServiceProperties service, String address) {
		GrpcAddress parsed = GrpcAddress.parse(address);
		ManagedChannelBuilder<?> builder = (parsed.kind() == GrpcAddress.Kind.IN_PROCESS)
				? InProcessChannelBuilder.forName(parsed.target())
				: Grpc.newChannelBuilder(parsed.target(), this.credentialsFactory.create(service.getTls()));
		configure(builder, service);
		for (GrpcChannelCustomizer customizer : this.customizers) {
			customizer.customize(service, builder);
		}
		return builder.build();
	}

	private static void configure(ManagedChannelBuilder<?> builder, ChannelProperties settings) {
		if (!(builder instanceof InProcessChannelBuilder)) {
			// an in-process channel has one direct address, and grpc-java rejects any policy for it
			builder.defaultLoadBalancingPolicy(settings.getLoadBalancingPolicy());
		}
		builder.idleTimeout(settings.getIdleTimeout().toMillis(), TimeUnit.MILLISECONDS);
		builder.maxInboundMessageSize((int) settings.getMaxInboundMessageSize().toBytes());
		builder.maxInboundMetadataSize((int) settings.getMaxInboundMetadataSize().toBytes());
		if (!settings.getKeepalive().getTime().isZero()) {
			builder.keepAliveTime(settings.getKeepalive().getTime().toNanos(), TimeUnit.NANOSECONDS);
			builder.keepAliveTimeout(settings.getKeepalive().getTimeout().toNanos(), TimeUnit.NANOSECONDS);
			builder.keepAliveWithoutCalls(settings.getKeepalive().isWithoutCalls());
		}
		if (settings.getUserAgent() != null) {
			builder.userAgent(settings.getUserAgent());
		}
		if (settings.getTls().getAuthorityOverride() != null) {
			builder.overrideAuthority(settings.getTls().getAuthorityOverride());
		}
		if (builder instanceof NettyChannelBuilder netty) {
			netty.withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS,
					(int) Math.min(Integer.MAX_VALUE, settings.getConnectTimeout().toMillis()));
		}
	}

}
