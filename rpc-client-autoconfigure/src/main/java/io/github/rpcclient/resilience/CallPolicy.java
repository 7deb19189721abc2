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
 * @param successWithoutRetry one context of the Resilience4j retry, shared by every call whose
 * first attempt succeeds, so that such a call counts in the retry's statistics without a context
 * of its own: only {@code onComplete()} is ever called on it, which, with no error recorded
 * before, changes nothing but the retry's counters (Resilience4j 2.x {@code RetryImpl})
 */
record CallPolicy(@Nullable Retry retry, Set<Status.Code> retryableCodes, @Nullable HedgingSettings hedging,
		@Nullable RetryBudget budget, ReplayBufferLimits limits,
		@Nullable Retry.AsyncContext<Object> successWithoutRetry) {

	CallPolicy(@Nullable Retry retry, Set<Status.Code> retryableCodes, @Nullable HedgingSettings hedging,
			@Nullable RetryBudget budget, ReplayBufferLimits limits) {
		this(retry, retryableCodes, hedging, budget, limits, (retry != null) ? retry.asyncContext() : null);
	}

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
