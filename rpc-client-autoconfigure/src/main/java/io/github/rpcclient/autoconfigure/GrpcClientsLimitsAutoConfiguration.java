package io.github.rpcclient.autoconfigure;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.common.bulkhead.configuration.CommonBulkheadConfigurationProperties;
import io.github.resilience4j.common.ratelimiter.configuration.CommonRateLimiterConfigurationProperties;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.resilience.BulkheadClientInterceptor;
import io.github.rpcclient.resilience.BulkheadInstances;
import io.github.rpcclient.resilience.RateLimiterClientInterceptor;
import io.github.rpcclient.resilience.RateLimiterInstances;
import io.grpc.ManagedChannel;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Bulkhead and rate limiter of the services that switch them on ({@code bulkhead.enabled},
 * {@code rate-limiter.enabled}; both off by default), on Resilience4j. Uses the
 * {@link BulkheadRegistry} and {@link RateLimiterRegistry} of {@code resilience4j-spring-boot3}
 * (or creates them), so {@code resilience4j.bulkhead.instances.<name>} and
 * {@code resilience4j.ratelimiter.instances.<name>} refine the {@code grpc-clients} settings key by
 * key, and Resilience4j's actuator endpoints and metrics show the instances. Each part needs only
 * its own Resilience4j module on the classpath.
 * <p>
 * Both sit between fallback and retry: they limit logical calls, and a call they refuse is not
 * retried.
 */
@AutoConfiguration(after = GrpcClientsAutoConfiguration.class,
		afterName = { "io.github.resilience4j.springboot3.bulkhead.autoconfigure.BulkheadAutoConfiguration",
				"io.github.resilience4j.springboot3.ratelimiter.autoconfigure.RateLimiterAutoConfiguration" })
@ConditionalOnClass(ManagedChannel.class)
@ConditionalOnBooleanProperty(name = "grpc-clients.enabled", matchIfMissing = true)
public class GrpcClientsLimitsAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ BulkheadRegistry.class, CommonBulkheadConfigurationProperties.class })
	static class BulkheadConfiguration {

		@Bean
		@ConditionalOnMissingBean
		BulkheadRegistry grpcBulkheadRegistry() {
			return BulkheadRegistry.ofDefaults();
		}

		@Bean
		@ConditionalOnMissingBean
		BulkheadInstances grpcBulkheadInstances(BulkheadRegistry registry,
				ObjectProvider<CommonBulkheadConfigurationProperties> properties) {
			return new BulkheadInstances(registry, properties.getIfUnique());
		}

		@Bean
		@ConditionalOnMissingBean(name = "grpcBulkheadInterceptor")
		ServiceInterceptorProvider grpcBulkheadInterceptor(BulkheadInstances instances) {
			return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.BULKHEAD_ORDER,
					(service) -> service.bulkhead().enabled() ? new BulkheadClientInterceptor(service, instances) : null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ RateLimiterRegistry.class, CommonRateLimiterConfigurationProperties.class })
	static class RateLimiterConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RateLimiterRegistry grpcRateLimiterRegistry() {
			return RateLimiterRegistry.ofDefaults();
		}

		@Bean
		@ConditionalOnMissingBean
		RateLimiterInstances grpcRateLimiterInstances(RateLimiterRegistry registry,
				ObjectProvider<CommonRateLimiterConfigurationProperties> properties) {
			return new RateLimiterInstances(registry, properties.getIfUnique());
		}

		@Bean
		@ConditionalOnMissingBean(name = "grpcRateLimiterInterceptor")
		ServiceInterceptorProvider grpcRateLimiterInterceptor(RateLimiterInstances instances) {
			return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.RATE_LIMITER_ORDER,
					(service) -> service.rateLimiter().enabled() ? new RateLimiterClientInterceptor(service, instances)
							: null);
		}

	}

}
