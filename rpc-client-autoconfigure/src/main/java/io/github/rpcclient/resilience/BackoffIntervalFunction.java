package io.github.rpcclient.resilience;

import java.util.concurrent.ThreadLocalRandom;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.rpcclient.properties.RetryProperties.BackoffType;
import io.github.rpcclient.settings.RetrySettings;

/**
 * The wait before a retry, as {@link RetrySettings} describe it: exponential, linear, fixed or
 * immediate, capped at {@code max-backoff}, then spread by +/- {@code jitter}.
 */
final class BackoffIntervalFunction implements IntervalBiFunction<Object> {

	private final BackoffType type;

	private final double backoffMillis;

	private final double maxBackoffMillis;

	private final double multiplier;

	private final double jitter;

	BackoffIntervalFunction(RetrySettings retry) {
		this.type = retry.backoffType();
		this.backoffMillis = retry.backoff().toMillis();
		this.maxBackoffMillis = retry.maxBackoff().toMillis();
		this.multiplier = retry.multiplier();
		this.jitter = retry.jitter();
	}

	/**
	 * @param attempt the number of the failed attempt, 1 for the first
	 * @param outcome what it failed with
	 * @return the wait before the next attempt, in milliseconds
	 */
	@Override
	public Long apply(Integer attempt, Either<Throwable, Object> outcome) {
		return millisAfter(attempt);
	}

	long millisAfter(int attempt) {
		double wait = switch (this.type) {
			case EXPONENTIAL -> this.backoffMillis * Math.pow(this.multiplier, attempt - 1);
			case LINEAR -> this.backoffMillis * attempt;
			case FIXED -> this.backoffMillis;
			case IMMEDIATE -> 0;
		};
		wait = Math.min(wait, this.maxBackoffMillis);
		if (this.jitter > 0 && wait > 0) {
			wait *= 1 + this.jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
		}
		return Math.round(wait);
	}

}
