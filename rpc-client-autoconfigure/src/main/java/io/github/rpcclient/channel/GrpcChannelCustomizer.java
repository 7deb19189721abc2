package io.github.rpcclient.channel;

import java.util.Set;

import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ManagedChannelBuilder;

/**
 * Adjusts the builder of a service's channel after the configured settings are applied. Beans of
 * this type are called in {@link org.springframework.core.annotation.Order order}, each only for
 * the builder type it declares, as Spring Boot's own customizers are: a
 * {@code GrpcChannelCustomizer<NettyChannelBuilder>} is called for Netty channels and skipped for
 * in-process ones, a {@code GrpcChannelCustomizer<ManagedChannelBuilder<?>>} for every channel.
 *
 * <pre class="code">
 * &#64;Bean
 * GrpcChannelCustomizer&lt;NettyChannelBuilder&gt; flowControl() {
 *     return (service, builder) -&gt; builder.flowControlWindow(4 * 1024 * 1024);
 * }
 * </pre>
 *
 * @param <B> the builder type this customizer applies to
 */
@FunctionalInterface
public interface GrpcChannelCustomizer<B extends ManagedChannelBuilder<?>> {

	/**
	 * Customizes the builder of one service's channel.
	 * @param service the resolved, immutable settings of the service the channel is for
	 * @param builder the builder, with the configured settings applied
	 */
	void customize(ServiceSettings service, B builder);

	/**
	 * Restricts a customizer to the named services.
	 * @param customizer the customizer
	 * @param serviceNames the services it applies to
	 * @param <B> the builder type the customizer applies to
	 * @return a customizer that skips every other service
	 */
	static <B extends ManagedChannelBuilder<?>> GrpcChannelCustomizer<B> forServices(GrpcChannelCustomizer<B> customizer,
			String... serviceNames) {
		Set<String> names = Set.of(serviceNames);
		return (service, builder) -> {
			if (names.contains(service.name())) {
				customizer.customize(service, builder);
			}
		};
	}

}
