package io.github.rpcclient.autoconfigure;

import java.util.List;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.common.circuitbreaker.configuration.CommonCircuitBreakerConfigurationProperties;
import io.github.resilience4j.common.retry.configuration.CommonRetryConfigurationProperties;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.resilience.CircuitBreakerClientInterceptor;
import io.github.rpcclient.resilience.CircuitBreakerInstances;
import io.github.rpcclient.resilience.FallbackClientInterceptor;
import io.github.rpcclient.resilience.IdleWhileOpen;
import io.github.rpcclient.resilience.GrpcFallback;
import io.github.rpcclient.resilience.RetryClientInterceptor;
import io.github.rpcclient.resilience.RetryInstances;
import io.github.rpcclient.resilience.RetryScheduler;
import io.github.rpcclient.route.PodLifecycleListener;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Retry, circuit breaker and fallback in every service's call chain, on Resilience4j. Uses the
 * {@link RetryRegistry} and {@link CircuitBreakerRegistry} of {@code resilience4j-spring-boot3}
 * (or creates them), so {@code resilience4j.retry.instances.<name>} and
 * {@code resilience4j.circuitbreaker.instances.<name>} refine the {@code grpc-clients} settings key
 * by key, and Resilience4j's actuator endpoints and metrics show the instances.
 * <p>
 * The chain, outermost first: deadline, fallback, retry, pod selection (stateful services),
 * circuit breaker, metrics, then the network; each retry attempt passes the breaker and the
 * metrics again. {@code retry.enabled=false} and {@code circuit-breaker.enabled=false} switch
 * either off for a service. Without Resilience4j on the classpath the clients work without them.
 */
@AutoConfiguration(after = GrpcClientsAutoConfiguration.class,
		afterName = { "io.github.resilience4j.springboot3.retry.autoconfigure.RetryAutoConfiguration",
				"io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration" })
@ConditionalOnClass({ RetryRegistry.class, CircuitBreakerRegistry.class, CommonRetryConfigurationProperties.class })
@ConditionalOnBooleanProperty(name = "grpc-clients.enabled", matchIfMissing = true)
public class GrpcClientsResilienceAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RetryRegistry grpcRetryRegistry() {
		return RetryRegistry.ofDefaults();
	}

	@Bean
	@ConditionalOnMissingBean
	CircuitBreakerRegistry grpcCircuitBreakerRegistry() {
		return CircuitBreakerRegistry.ofDefaults();
	}

	@Bean
	@ConditionalOnMissingBean
	RetryScheduler grpcRetryScheduler() {
		return new RetryScheduler();
	}

	@Bean
	@ConditionalOnMissingBean
	RetryInstances grpcRetryInstances(RetryRegistry registry,
			ObjectProvider<CommonRetryConfigurationProperties> properties) {
		return new RetryInstances(registry, properties.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean
	CircuitBreakerInstances grpcCircuitBreakerInstances(CircuitBreakerRegistry registry,
			ObjectProvider<CommonCircuitBreakerConfigurationProperties> properties) {
		return new CircuitBreakerInstances(registry, properties.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcRetryInterceptor")
	ServiceInterceptorProvider grpcRetryInterceptor(RetryInstances instances, RetryScheduler scheduler) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.RETRY_ORDER,
				(service) -> RetryClientInterceptor.appliesTo(service)
						? new RetryClientInterceptor(service, instances, scheduler) : null);
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcCircuitBreakerInterceptor")
	ServiceInterceptorProvider grpcCircuitBreakerInterceptor(CircuitBreakerInstances instances,
			ObjectProvider<ManagedChannelRegistry> channels) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.CIRCUIT_BREAKER_ORDER,
				(service) -> service.circuitBreaker().enabled()
						? new CircuitBreakerClientInterceptor(service, instances,
								(breaker) -> idleWhileOpen(channels, service.name(), breaker))
						: null);
	}

	/**
	 * Keeps the channel of a service whose breaker opened idle while the breaker is open: no call
	 * is sent then, so the channel need not keep reconnecting to the backend.
	 */
	private static void idleWhileOpen(ObjectProvider<ManagedChannelRegistry> channels, String service,
			CircuitBreaker breaker) {
		ManagedChannelRegistry registry = channels.getIfAvailable();
		if (registry != null && !registry.isClosed()) {
			IdleWhileOpen.keep(registry.getChannel(service), breaker);
		}
	}

	/**
	 * Drops the breaker of a stateful service's pod when the pod leaves the pod registry.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "grpcPodBreakerRemover")
	PodLifecycleListener grpcPodBreakerRemover(CircuitBreakerInstances instances) {
		return instances::removePodBreaker;
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcFallbackInterceptor")
	ServiceInterceptorProvider grpcFallbackInterceptor(ObjectProvider<GrpcFallback<?, ?>> fallbacks) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.FALLBACK_ORDER, (service) -> {
			List<GrpcFallback<?, ?>> own = fallbacks.orderedStream()
				.filter((fallback) -> service.name().equals(fallback.service()))
				.toList();
			return own.isEmpty() ? null : new FallbackClientInterceptor(own);
		});
	}

}
