package io.github.rpcclient.settings;

import java.time.Duration;
import java.util.Set;

import io.grpc.Status;

/**
 * The circuit breaker guarding a service (each of its pods, for a stateful service).
 *
 * @param enabled whether calls pass a circuit breaker
 * @param failureRateThreshold failure rate, in percent, at or above which the breaker opens
 * @param slidingWindowSize number of most recent calls the rates are computed over
 * @param minimumNumberOfCalls calls needed in the window before the rates count
 * @param waitDurationInOpenState time open before probe calls are let through
 * @param permittedNumberOfCallsInHalfOpenState probe calls while half-open
 * @param slowCallRateThreshold rate of slow calls, in percent, at or above which the breaker opens
 * @param slowCallDurationThreshold duration above which a unary call counts as slow (streams never do)
 * @param recordedStatusCodes status codes counted as failures
 */
public record CircuitBreakerSettings(boolean enabled, float failureRateThreshold, int slidingWindowSize,
		int minimumNumberOfCalls, Duration waitDurationInOpenState, int permittedNumberOfCallsInHalfOpenState,
		float slowCallRateThreshold, Duration slowCallDurationThreshold, Set<Status.Code> recordedStatusCodes) {

	/**
	 * Copies the code set, so the settings cannot change after they are built.
	 */
	public CircuitBreakerSettings {
		recordedStatusCodes = Set.copyOf(recordedStatusCodes);
	}

}
