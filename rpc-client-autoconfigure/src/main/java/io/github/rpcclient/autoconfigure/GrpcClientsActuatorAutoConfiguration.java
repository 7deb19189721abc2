package io.github.rpcclient.autoconfigure;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.rpcclient.actuate.CircuitBreakerAccess;
import io.github.rpcclient.actuate.ClientSecretsSanitizer;
import io.github.rpcclient.actuate.GrpcClientsEndpoint;
import io.github.rpcclient.actuate.GrpcClientsHealthIndicator;
import io.github.rpcclient.actuate.PodAccess;
import io.github.rpcclient.actuate.PodRegistryAccess;
import io.github.rpcclient.actuate.Resilience4jCircuitBreakerAccess;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.settings.RoutingSettings;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support: the {@code grpcclients} endpoint (read and write operations), the
 * {@code grpcClients} health indicator ({@code management.health.grpc-clients.enabled}), with the
 * breakers of Resilience4j and the pods of stateful routing when those are active, and the masking
 * of the clients' secrets in {@code /env} and {@code /configprops}.
 */
@AutoConfiguration(after = GrpcClientsAutoConfiguration.class,
		afterName = { "io.github.rpcclient.autoconfigure.GrpcClientsResilienceAutoConfiguration",
				"io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration" })
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(ManagedChannelRegistry.class)
public class GrpcClientsActuatorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	GrpcClientsEndpoint grpcClientsEndpoint(ManagedChannelRegistry registry,
			ObjectProvider<CircuitBreakerAccess> breakers, ObjectProvider<PodAccess> pods) {
		return new GrpcClientsEndpoint(registry, breakers.getIfAvailable(() -> CircuitBreakerAccess.NONE),
				pods.getIfAvailable(() -> PodAccess.NONE));
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcClientsHealthIndicator")
	@ConditionalOnEnabledHealthIndicator("grpc-clients")
	HealthIndicator grpcClientsHealthIndicator(ManagedChannelRegistry registry, GrpcClientsProperties properties) {
		return new GrpcClientsHealthIndicator(registry,
				new Status(properties.getHealth().getTransientFailureStatus().trim().toUpperCase()));
	}

	/**
	 * Masks the secrets the clients read (Redis password, SSL bundle passwords and keys) in
	 * {@code /env} and {@code /configprops}, also where an application shows values.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "grpcClientsSanitizingFunction")
	SanitizingFunction grpcClientsSanitizingFunction() {
		return new ClientSecretsSanitizer();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(CircuitBreakerRegistry.class)
	@ConditionalOnBean(CircuitBreakerRegistry.class)
	static class CircuitBreakers {

		@Bean
		@ConditionalOnMissingBean
		CircuitBreakerAccess grpcCircuitBreakerAccess(CircuitBreakerRegistry registry) {
			return new Resilience4jCircuitBreakerAccess(registry);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(PodRegistry.class)
	@ConditionalOnBean(PodRegistry.class)
	static class Pods {

		@Bean
		@ConditionalOnMissingBean
		PodAccess grpcPodAccess(PodRegistry registry, RoutingSettings settings) {
			return new PodRegistryAccess(registry, settings);
		}

	}

}
