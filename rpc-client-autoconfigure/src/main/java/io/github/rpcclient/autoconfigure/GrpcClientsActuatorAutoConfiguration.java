package io.github.rpcclient.autoconfigure;

import io.github.rpcclient.actuate.GrpcClientsEndpoint;
import io.github.rpcclient.actuate.GrpcClientsHealthIndicator;
import io.github.rpcclient.channel.ManagedChannelRegistry;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Actuator support: the {@code grpcclients} endpoint and the {@code grpcClients} health
 * indicator ({@code management.health.grpc-clients.enabled}).
 */
@AutoConfiguration(after = GrpcClientsAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(ManagedChannelRegistry.class)
public class GrpcClientsActuatorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	GrpcClientsEndpoint grpcClientsEndpoint(ManagedChannelRegistry registry) {
		return new GrpcClientsEndpoint(registry);
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcClientsHealthIndicator")
	@ConditionalOnEnabledHealthIndicator("grpc-clients")
	HealthIndicator grpcClientsHealthIndicator(ManagedChannelRegistry registry) {
		return new GrpcClientsHealthIndicator(registry);
	}

}
