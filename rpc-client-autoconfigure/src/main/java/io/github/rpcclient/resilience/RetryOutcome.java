package io.github.rpcclient.resilience;

import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.retry.Retry;
import io.github.rpcclient.resilience.RetryClientInterceptor.RetryPolicy;
import io.grpc.Deadline;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * The outcome of one retried call as the Resilience4j {@link Retry} and the service's
 * {@link RetryBudget} count it: each failed attempt is reported, and the Retry (with the budget)
 * decides whether another follows and after which wait. A call refused by an open circuit breaker
 * is not retried, nor is one whose wait would end at or after its deadline. Not thread-safe: the
 * retrying call uses it under its lock.
 */
final class RetryOutcome {

	private final RetryPolicy policy;

	@Nullable
	private final RetryBudget budget;

	@Nullable
	private final Deadline deadline;

	@Nullable
	private Retry.AsyncContext<Object> context;

	RetryOutcome(RetryPolicy policy, @Nullable RetryBudget budget, @Nullable Deadline deadline) {
		this.policy = policy;
		this.budget = budget;
		this.deadline = deadline;
		if (budget != null) {
			budget.deposit();
		}
	}

	/** An attempt succeeded. */
	void succeeded() {
		context().onComplete();
	}

	/**
	 * An attempt failed before anything reached the caller.
	 * @param status its status
	 * @return the wait before the next attempt in milliseconds, or a negative number for none
	 */
	long failed(Status status) {
		if (status.getCause() instanceof CallNotPermittedException) {
			return -1;
		}
		boolean retryable = this.policy.retryableCodes().contains(status.getCode());
		if (retryable && this.budget != null) {
			retryable = this.budget.tryWithdraw();
		}
		long delay = context().onError(new StatusFailure(status, retryable));
		if (delay >= 0 && this.deadline != null
				&& this.deadline.timeRemaining(TimeUnit.NANOSECONDS) <= TimeUnit.MILLISECONDS.toNanos(delay)) {
			return -1;
		}
		return delay;
	}

	/**
	 * The attempt the call committed to (its response reached the caller) ended; it is not retried.
	 * @param status its status
	 */
	void committedAttemptEnded(Status status) {
		if (status.isOk()) {
			succeeded();
		}
		else if (status.getCode() != Status.Code.CANCELLED) {
			context().onError(new StatusFailure(status, false));
		}
	}

	private Retry.AsyncContext<Object> context() {
		if (this.context == null) {
			this.context = this.policy.retry().asyncContext();
		}
		return this.context;
	}

}
