package io.github.rpcclient.actuate;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * {@link CircuitBreakerAccess} through the application's Resilience4j {@link CircuitBreakerRegistry},
 * where the gRPC services' breakers live.
 */
public class Resilience4jCircuitBreakerAccess implements CircuitBreakerAccess {

	private final CircuitBreakerRegistry registry;

	/**
	 * Creates the access.
	 * @param registry the registry holding the services' breakers
	 */
	public Resilience4jCircuitBreakerAccess(CircuitBreakerRegistry registry) {
		this.registry = registry;
	}

	@Override
	public String state(String name) {
		return this.registry.find(name).map((breaker) -> breaker.getState().name()).orElse(null);
	}

	@Override
	public boolean reset(String name) {
		CircuitBreaker breaker = this.registry.find(name).orElse(null);
		if (breaker == null) {
			return false;
		}
		breaker.reset();
		return true;
	}

}
