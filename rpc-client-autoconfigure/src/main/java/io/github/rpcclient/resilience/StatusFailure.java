package io.github.rpcclient.resilience;

import io.grpc.Status;

/**
 * A failed call attempt as Resilience4j sees it: the status, and whether the retry policy may
 * retry it. Carries no stack trace, so that reporting a failure costs little.
 */
final class StatusFailure extends RuntimeException {

	private final transient Status status;

	private final boolean retryable;

	StatusFailure(Status status, boolean retryable) {
		super(status.getCode() + ((status.getDescription() != null) ? ": " + status.getDescription() : ""), null, false,
				false);
		this.status = status;
		this.retryable = retryable;
	}

	Status status() {
		return this.status;
	}

	/**
	 * @param throwable an outcome reported to a Retry
	 * @return whether it is a failure that may be retried
	 */
	static boolean isRetryable(Throwable throwable) {
		return throwable instanceof StatusFailure failure && failure.retryable;
	}

}
