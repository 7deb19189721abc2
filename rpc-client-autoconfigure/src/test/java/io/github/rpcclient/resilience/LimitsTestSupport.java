package io.github.rpcclient.resilience;

import io.github.resilience4j.springboot3.bulkhead.autoconfigure.BulkheadAutoConfiguration;
import io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot3.ratelimiter.autoconfigure.RateLimiterAutoConfiguration;
import io.github.resilience4j.springboot3.retry.autoconfigure.RetryAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsLimitsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsResilienceAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Shared set-up of the bulkhead and rate-limiter tests: the gRPC clients with the whole resilience
 * chain and Resilience4j's own Spring Boot auto-configuration, one service named "echo".
 */
final class LimitsTestSupport {

	private LimitsTestSupport() {
	}

	/**
	 * A runner with the full chain and a service {@code echo} at an address.
	 * @param address the backend's address
	 * @param properties more properties
	 * @return the runner
	 */
	static ApplicationContextRunner runner(String address, String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class, RetryAutoConfiguration.class,
					CircuitBreakerAutoConfiguration.class, GrpcClientsResilienceAutoConfiguration.class,
					BulkheadAutoConfiguration.class, RateLimiterAutoConfiguration.class,
					GrpcClientsLimitsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=" + address)
			.withPropertyValues(properties);
	}

}
