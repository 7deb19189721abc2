package io.github.rpcclient.autoconfigure;

import io.github.rpcclient.actuate.CallTimerInterceptor;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The timer of logical calls ({@code grpc.client.calls}, one per call above retry, next to
 * Micrometer's per-attempt {@code grpc.client}). Active when a {@link MeterRegistry} bean exists,
 * as with Spring Boot Actuator; {@code grpc-clients.metrics.enabled=false} switches it off. The
 * gauges and route meters are in {@link GrpcClientsMeterBindersAutoConfiguration}.
 */
@AutoConfiguration(after = CompositeMeterRegistryAutoConfiguration.class, before = GrpcClientsAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = { "grpc-clients.enabled", "grpc-clients.metrics.enabled" }, matchIfMissing = true)
public class GrpcClientsMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "grpcCallMetricsInterceptor")
	ServiceInterceptorProvider grpcCallMetricsInterceptor(MeterRegistry registry) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.CALL_METRICS_ORDER,
				(service) -> new CallTimerInterceptor(registry, service.name()));
	}

}
