package io.github.rpcclient.channel;

import java.util.Set;

import io.github.rpcclient.config.ServiceProperties;
import io.grpc.ManagedChannelBuilder;

/**
 * Adjusts the builder of a service's channel after the configured settings are applied. Beans of
 * this type are called in {@link org.springframework.core.annotation.Order order}.
 */
@FunctionalInterface
public interface GrpcChannelCustomizer {

	/**
	 * Customizes the builder of one service's channel.
	 * @param service the service the channel is for
	 * @param builder the builder, with the configured settings applied
	 */
	void customize(ServiceProperties service, ManagedChannelBuilder<?> builder);

	/**
	 * Restricts a customizer to the named services.
	 * @param customizer the customizer
	 * @param serviceNames the services it applies to
	 * @return a customizer that skips every other service
	 */
	static GrpcChannelCustomizer forServices(GrpcChannelCustomizer customizer, String... serviceNames) {
		Set<String> names = Set.of(serviceNames);
		return (service, builder) -> {
			if (names.contains(service.getName())) {
				customizer.customize(service, builder);
			}
		};
	}

}
