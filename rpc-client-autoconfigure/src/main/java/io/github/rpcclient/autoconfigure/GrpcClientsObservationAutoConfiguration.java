package io.github.rpcclient.autoconfigure;

import io.github.rpcclient.actuate.ServiceNameObservationConvention;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Observes every attempt of every call with Micrometer's {@link ObservationGrpcClientInterceptor}
 * (timers {@code grpc.client} and, with tracing, spans), tagged with the configured service name.
 * Active when an {@link ObservationRegistry} bean exists, as with Spring Boot Actuator.
 */
@AutoConfiguration(after = ObservationAutoConfiguration.class, before = GrpcClientsAutoConfiguration.class)
@ConditionalOnClass({ ObservationGrpcClientInterceptor.class, ObservationRegistry.class })
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = { "grpc-clients.enabled", "grpc-clients.observation.enabled" },
		matchIfMissing = true)
public class GrpcClientsObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "grpcObservationInterceptor")
	ServiceInterceptorProvider grpcObservationInterceptor(ObservationRegistry observationRegistry) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.OBSERVATION_ORDER, (service) -> {
			ObservationGrpcClientInterceptor interceptor = new ObservationGrpcClientInterceptor(observationRegistry);
			interceptor.setCustomConvention(new ServiceNameObservationConvention(service.name()));
			return interceptor;
		});
	}

}
