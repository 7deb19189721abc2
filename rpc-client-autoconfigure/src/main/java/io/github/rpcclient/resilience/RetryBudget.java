package io.github.rpcclient.resilience;

import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.settings.RetrySettings;

/**
 * Token bucket limiting the retries of one service, as grpc-java's {@code retryThrottling}: it
 * starts full, every failed attempt with a retryable status takes a token, every other outcome
 * gives back {@code token-ratio}, and a retry is made only while more than half the tokens are
 * left. Lock-free; tokens are kept in thousandths.
 */
final class RetryBudget {

	private static final int SCALE = 1000;

	private final int maxTokens;

	private final int threshold;

	private final int tokenRatio;

	private final AtomicInteger tokens;

	RetryBudget(RetrySettings.Budget budget) {
		this.maxTokens = budget.maxTokens() * SCALE;
		this.threshold = this.maxTokens / 2;
		this.tokenRatio = (int) Math.round(budget.tokenRatio() * SCALE);
		this.tokens = new AtomicInteger(this.maxTokens);
	}

	/**
	 * Takes a token for a failed attempt.
	 * @return whether a retry may still be made
	 */
	boolean onFailureAllowsRetry() {
		int now;
		int next;
		do {
			now = this.tokens.get();
			next = Math.max(now - SCALE, 0);
		}
		while (now != next && !this.tokens.compareAndSet(now, next));
		return next > this.threshold;
	}

	/**
	 * Gives back part of a token for an attempt that did not fail with a retryable status.
	 */
	void onSuccess() {
		int now;
		int next;
		do {
			now = this.tokens.get();
			next = Math.min(now + this.tokenRatio, this.maxTokens);
		}
		while (now != next && !this.tokens.compareAndSet(now, next));
	}

	/** A call that may be retried started. Temporary bridge to the traffic-scaled budget. */
	void deposit() {
		onSuccess();
	}

	/** @return whether a retry may be made */
	boolean tryWithdraw() {
		return onFailureAllowsRetry();
	}

	/**
	 * @return the tokens left, for diagnostics
	 */
	double tokens() {
		return this.tokens.get() / (double) SCALE;
	}

}
