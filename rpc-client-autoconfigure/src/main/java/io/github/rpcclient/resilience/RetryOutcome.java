package io.github.rpcclient.resilience;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.retry.Retry;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * The decisions of one retried or hedged call, as gRFC A6 and grpc-java's {@code RetriableStream}
 * make them, with the service's {@link RetryBudget} and, for retries, the statistics and backoff of
 * the Resilience4j {@link Retry}:
 * <ul>
 * <li>an attempt is retried if its status is among the retryable codes, or if the server asked
 * for it with a valid {@code grpc-retry-pushback-ms} trailer, whose wait then replaces the
 * backoff; a negative or malformed pushback stops retrying and hedging;</li>
 * <li>a transport closure before any response header ({@code UNKNOWN} caused by an
 * {@link IOException}, as grpc-java reports a peer that vanished, grpc-java issue #10120) is a
 * transport failure and is retried like {@code UNAVAILABLE};</li>
 * <li>a call refused by an open circuit breaker is not retried, nor one whose wait would end at
 * or after its deadline;</li>
 * <li>every retry and every hedged attempt after the first is taken from the budget.</li>
 * </ul>
 * Not thread-safe: used by one thread at a time (a retried call's attempts end one after another;
 * a hedged call asks under its monitor).
 */
final class RetryOutcome {

	/** The trailer a server sends to ask for a retry after a wait, or for none. */
	static final Metadata.Key<String> PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms",
			Metadata.ASCII_STRING_MARSHALLER);

	private final CallPolicy policy;

	@Nullable
	private final Deadline deadline;

	@Nullable
	private Retry.AsyncContext<Object> context;

	RetryOutcome(CallPolicy policy, @Nullable Deadline deadline) {
		this.policy = policy;
		this.deadline = deadline;
		if (policy.budget() != null) {
			policy.budget().deposit();
		}
	}

	/**
	 * A retried attempt failed before the call committed to it.
	 * @param status its status
	 * @param trailers its trailers
	 * @param headersReceived whether it had received response headers
	 * @param attempts the attempts made so far
	 * @return the wait before the next attempt in milliseconds, or a negative number for none
	 */
	long retryDelay(Status status, Metadata trailers, boolean headersReceived, int attempts) {
		if (status.getCause() instanceof CallNotPermittedException) {
			return -1;
		}
		Integer pushback = pushbackMillis(trailers);
		Status.Code code = isTransportClosure(status, headersReceived) ? Status.Code.UNAVAILABLE : status.getCode();
		boolean retryable = (pushback != null) ? pushback >= 0 : this.policy.retryableCodes().contains(code);
		if (retryable && attempts < this.policy.maxAttempts() && this.policy.budget() != null) {
			retryable = this.policy.budget().tryWithdraw();
		}
		long delay = context().onError(new StatusFailure(status, retryable));
		if (delay < 0) {
			return -1;
		}
		if (pushback != null) {
			delay = pushback;
		}
		if (this.deadline != null
				&& this.deadline.timeRemaining(TimeUnit.NANOSECONDS) <= TimeUnit.MILLISECONDS.toNanos(delay)) {
			return -1;
		}
		return delay;
	}

	/**
	 * @return whether the budget allows one more hedged attempt (which it then counts)
	 */
	boolean hedgeAllowed() {
		return this.policy.budget() == null || this.policy.budget().tryWithdraw();
	}

	/**
	 * The attempt the call committed to ended.
	 * @param status its status
	 */
	void committedAttemptEnded(Status status) {
		if (this.policy.retry() == null) {
			return;
		}
		if (status.isOk()) {
			// The first attempt's success needs no context of its own (most calls).
			Retry.AsyncContext<Object> success = (this.context != null) ? this.context : this.policy.successWithoutRetry();
			success.onComplete();
		}
		else if (status.getCode() != Status.Code.CANCELLED) {
			context().onError(new StatusFailure(status, false));
		}
	}

	/**
	 * Reads the server's pushback.
	 * @param trailers an attempt's trailers
	 * @return the wait it asks for, {@code -1} if it asks for no retry (negative or malformed),
	 * or {@code null} if it says nothing
	 */
	@Nullable
	static Integer pushbackMillis(Metadata trailers) {
		String pushback = trailers.get(PUSHBACK);
		if (pushback == null) {
			return null;
		}
		try {
			return Math.max(Integer.parseInt(pushback.trim()), -1);
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/**
	 * @param status an attempt's status
	 * @param headersReceived whether the attempt had received response headers
	 * @return whether it is a transport closure before any response, to be treated as
	 * {@code UNAVAILABLE}
	 */
	static boolean isTransportClosure(Status status, boolean headersReceived) {
		if (headersReceived || status.getCode() != Status.Code.UNKNOWN) {
			return false;
		}
		for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof IOException) {
				return true;
			}
		}
		return false;
	}

	private Retry.AsyncContext<Object> context() {
		if (this.context == null) {
			this.context = this.policy.retry().asyncContext();
		}
		return this.context;
	}

}
