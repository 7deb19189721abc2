package io.github.rpcclient.resilience;

import java.util.Set;

import io.github.resilience4j.retry.Retry;
import io.github.rpcclient.settings.HedgingSettings;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * How the calls of one method are retried or hedged, resolved once per service and method.
 *
 * @param retry the Resilience4j retry, or {@code null} when the method is hedged
 * @param retryableCodes the codes that are retried
 * @param hedging the hedging, or {@code null} when the method is retried
 * @param budget the service's retry budget, or {@code null} for none
 * @param limits the bytes the service's calls may keep for replay
 */
record CallPolicy(@Nullable Retry retry, Set<Status.Code> retryableCodes, @Nullable HedgingSettings hedging,
		@Nullable RetryBudget budget, ReplayBufferLimits limits) {

	/** @return whether calls of the method are hedged rather than retried */
	boolean hedged() {
		return this.hedging != null;
	}

	/** @return the attempts a call may make, the first included */
	int maxAttempts() {
		if (this.hedging != null) {
			return this.hedging.maxAttempts();
		}
		return (this.retry != null) ? this.retry.getRetryConfig().getMaxAttempts() : 1;
	}

}
