package io.github.rpcclient.actuate;

import org.springframework.lang.Nullable;

/**
 * What the {@code grpcclients} endpoint reads and does to circuit breakers, by breaker name (a
 * service's name, or {@code service#pod} for a pod of a stateful service). Keeps the endpoint free
 * of Resilience4j, which is optional.
 */
public interface CircuitBreakerAccess {

	/** No circuit breakers (Resilience4j absent). */
	CircuitBreakerAccess NONE = new CircuitBreakerAccess() {

		@Override
		public String state(String name) {
			return null;
		}

		@Override
		public boolean reset(String name) {
			return false;
		}

	};

	/**
	 * @param name the breaker name
	 * @return its state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...), or {@code null}
	 * if there is no such breaker
	 */
	@Nullable
	String state(String name);

	/**
	 * Closes a breaker and forgets its recorded calls.
	 * @param name the breaker name
	 * @return whether there was such a breaker
	 */
	boolean reset(String name);

	/**
	 * @param service a stateful service
	 * @param pod a pod index
	 * @return the name of the pod's breaker
	 */
	static String podBreakerName(String service, int pod) {
		return service + "#" + pod;
	}

}
