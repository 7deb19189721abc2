package io.github.rpcclient.settings;

import java.time.Duration;
import java.util.Set;

import io.github.rpcclient.properties.RetryProperties.BackoffType;
import io.grpc.Status;

/**
 * Retry of a service's (or one method's) failed calls.
 *
 * @param enabled whether failed calls are retried
 * @param maxAttempts total attempts, the first included
 * @param backoff wait before the first retry
 * @param maxBackoff longest wait between two attempts
 * @param multiplier growth of the wait for exponential backoff
 * @param jitter random spread of each wait, a fraction from 0 to 1
 * @param backoffType how the wait grows
 * @param retryableStatusCodes codes that are retried
 * @param idempotentRetryableStatusCodes codes also retried for idempotent and side-effect-free
 * methods
 * @param budget the service's retry budget
 */
public record RetrySettings(boolean enabled, int maxAttempts, Duration backoff, Duration maxBackoff,
		double multiplier, double jitter, BackoffType backoffType, Set<Status.Code> retryableStatusCodes,
		Set<Status.Code> idempotentRetryableStatusCodes, Budget budget) {

	/**
	 * Copies the code sets, so the settings cannot change after they are built.
	 */
	public RetrySettings {
		retryableStatusCodes = Set.copyOf(retryableStatusCodes);
		idempotentRetryableStatusCodes = Set.copyOf(idempotentRetryableStatusCodes);
	}

	/**
	 * The retry budget that stops retry storms: retries may add up to {@code ratio} of the calls
	 * made in the last {@code window}, plus {@code minRetriesPerSecond} a second (a rate, not a
	 * reserve).
	 *
	 * @param enabled whether retries are limited by the budget
	 * @param ratio retries allowed per call made in the window
	 * @param window how far back calls and retries are counted
	 * @param minRetriesPerSecond retries allowed per second in addition to the ratio
	 */
	public record Budget(boolean enabled, double ratio, Duration window, int minRetriesPerSecond) {
	}

}
