package io.github.rpcclient.channel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.GrpcClientStartupException;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolverProvider;
import io.grpc.inprocess.InProcessChannelBuilder;

import org.springframework.boot.util.LambdaSafe;
import org.springframework.lang.Nullable;

/**
 * Builds the {@link ManagedChannel} of a service from its settings: on the application's
 * {@link ChannelTransport} for network and Unix-socket addresses, on grpc-java's in-process
 * transport for {@code in-process:} addresses. The service's settings are applied to the builder,
 * then every {@link GrpcChannelCustomizer} that declares a matching builder type. A channel whose
 * address has the scheme of one of the application's {@link NameResolverProvider} beans (such as
 * the {@code discovery:///} resolver) resolves it with that provider alone, registered on the
 * channel rather than in grpc-java's global registry.
 */
public class GrpcChannelFactory {

	@Nullable
	private final ChannelTransport transport;

	private final ChannelCredentialsFactory credentialsFactory;

	private final List<GrpcChannelCustomizer<?>> customizers;

	private final Map<String, NameResolverProvider> resolvers = new LinkedHashMap<>();

	/**
	 * Creates the factory.
	 * @param transport the network transport, or {@code null} if the application has none (then
	 * only in-process addresses can be used)
	 * @param credentialsFactory creates the TLS or plaintext credentials
	 * @param customizers customizers applied to every builder of their type, in order
	 * @param resolvers the application's own name resolvers, each serving the addresses of its
	 * default scheme (the first of a scheme wins)
	 */
	public GrpcChannelFactory(@Nullable ChannelTransport transport, ChannelCredentialsFactory credentialsFactory,
			List<? extends GrpcChannelCustomizer<?>> customizers, List<? extends NameResolverProvider> resolvers) {
		this.transport = transport;
		this.credentialsFactory = credentialsFactory;
		this.customizers = List.copyOf(customizers);
		resolvers.forEach((resolver) -> this.resolvers.putIfAbsent(resolver.getDefaultScheme(), resolver));
	}

	/**
	 * Builds the channel of a service. Nothing connects until the channel is used or asked to.
	 * @param service the service, with an address
	 * @return the channel
	 */
	public ManagedChannel create(ServiceSettings service) {
		if (service.address() == null) {
			throw new IllegalArgumentException("gRPC service '" + service.name() + "' has no address");
		}
		return create(service, service.address());
	}

	/**
	 * Builds a channel with a service's settings to one of its addresses (a pod, say).
	 * @param service the service
	 * @param address the address to connect to
	 * @return the channel
	 */
	public ManagedChannel create(ServiceSettings service, GrpcAddress address) {
		ManagedChannelBuilder<?> builder = newBuilder(service, address);
		useOwnResolver(builder, service, address);
		configure(builder, service);
		LambdaSafe.callbacks(GrpcChannelCustomizer.class, this.customizers, builder, service)
			.withLogger(GrpcChannelFactory.class)
			.invoke((customizer) -> customize(customizer, service, builder));
		return builder.build();
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static void customize(GrpcChannelCustomizer customizer, ServiceSettings service,
			ManagedChannelBuilder<?> builder) {
		customizer.customize(service, builder);
	}

	private ManagedChannelBuilder<?> newBuilder(ServiceSettings service, GrpcAddress address) {
		if (address.kind() == GrpcAddress.Kind.IN_PROCESS) {
			return InProcessChannelBuilder.forName(address.target());
		}
		if (this.transport == null) {
			throw new GrpcClientStartupException("gRPC service '" + service.name() + "' is at '" + address.text()
					+ "', but the application has no gRPC network transport on its classpath.",
					"Add io.grpc:grpc-netty-shaded (rpc-client-starter brings it), io.grpc:grpc-netty or "
							+ "io.grpc:grpc-okhttp.");
		}
		return this.transport.newChannelBuilder(address, this.credentialsFactory.create(service.tls()), service);
	}

	/**
	 * Registers the application's resolver of the address's scheme on the channel alone. A
	 * {@code discovery:///} address without one never gets here: settings reject it.
	 */
	@SuppressWarnings("deprecation") // the per-channel registration grpc-java offers
	private void useOwnResolver(ManagedChannelBuilder<?> builder, ServiceSettings service, GrpcAddress address) {
		if (address.kind() != GrpcAddress.Kind.DISCOVERY && address.kind() != GrpcAddress.Kind.RESOLVER) {
			return;
		}
		String scheme = address.target().substring(0, address.target().indexOf(':')).toLowerCase(Locale.ROOT);
		NameResolverProvider resolver = this.resolvers.get(scheme);
		if (resolver != null) {
			builder.nameResolverFactory(resolver);
		}
		else if (address.kind() == GrpcAddress.Kind.DISCOVERY) {
			throw new GrpcClientStartupException("gRPC service '" + service.name() + "' is at '" + address.text()
					+ "', but the application has no discovery:/// name resolver.",
					"Add org.springframework.cloud:spring-cloud-commons with a DiscoveryClient, or use host:port.");
		}
	}

	private static void configure(ManagedChannelBuilder<?> builder, ServiceSettings settings) {
		if (!(builder instanceof InProcessChannelBuilder)) {
			// an in-process channel has one direct address, and grpc-java rejects any policy for it
			builder.defaultLoadBalancingPolicy(settings.loadBalancingPolicy());
		}
		builder.idleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
		builder.maxInboundMessageSize((int) settings.maxInboundMessageSize().toBytes());
		builder.maxInboundMetadataSize((int) settings.maxInboundMetadataSize().toBytes());
		if (settings.keepalive().enabled()) {
			builder.keepAliveTime(settings.keepalive().time().toNanos(), TimeUnit.NANOSECONDS);
			builder.keepAliveTimeout(settings.keepalive().timeout().toNanos(), TimeUnit.NANOSECONDS);
			builder.keepAliveWithoutCalls(settings.keepalive().withoutCalls());
		}
		if (settings.userAgent() != null) {
			builder.userAgent(settings.userAgent());
		}
		if (settings.tls().authorityOverride() != null) {
			builder.overrideAuthority(settings.tls().authorityOverride());
		}
	}

}
