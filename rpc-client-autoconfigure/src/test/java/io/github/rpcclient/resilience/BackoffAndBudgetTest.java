package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.Set;

import io.github.rpcclient.properties.RetryProperties.BackoffType;
import io.github.rpcclient.settings.RetrySettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backoff shapes and the retry budget's token arithmetic.
 */
class BackoffAndBudgetTest {

	private static BackoffIntervalFunction backoff(BackoffType type, double jitter) {
		return new BackoffIntervalFunction(new RetrySettings(true, 3, Duration.ofMillis(100), Duration.ofMillis(350), 2,
				jitter, type, Set.of(), Set.of(), new RetrySettings.Budget(true, 10, 0.1)));
	}

	@Test
	void exponentialLinearFixedAndImmediateBackoffAreCappedAtTheMaximum() {
		BackoffIntervalFunction exponential = backoff(BackoffType.EXPONENTIAL, 0);
		assertThat(exponential.millisAfter(1)).isEqualTo(100);
		assertThat(exponential.millisAfter(2)).isEqualTo(200);
		assertThat(exponential.millisAfter(3)).isEqualTo(350);
		BackoffIntervalFunction linear = backoff(BackoffType.LINEAR, 0);
		assertThat(linear.millisAfter(1)).isEqualTo(100);
		assertThat(linear.millisAfter(3)).isEqualTo(300);
		assertThat(linear.millisAfter(4)).isEqualTo(350);
		assertThat(backoff(BackoffType.FIXED, 0).millisAfter(5)).isEqualTo(100);
		assertThat(backoff(BackoffType.IMMEDIATE, 0.5).millisAfter(5)).isZero();
	}

	@Test
	void jitterSpreadsTheWaitWithinItsFraction() {
		BackoffIntervalFunction jittered = backoff(BackoffType.FIXED, 0.2);
		long min = Long.MAX_VALUE;
		long max = Long.MIN_VALUE;
		for (int i = 0; i < 2000; i++) {
			long wait = jittered.millisAfter(1);
			min = Math.min(min, wait);
			max = Math.max(max, wait);
		}
		assertThat(min).isBetween(80L, 90L);
		assertThat(max).isBetween(110L, 120L);
	}

	@Test
	void budgetAllowsRetriesOnlyAboveHalfItsTokens() {
		RetryBudget budget = new RetryBudget(new RetrySettings.Budget(true, 10, 0.5));
		for (int i = 0; i < 4; i++) {
			assertThat(budget.onFailureAllowsRetry()).as("failure %d", i + 1).isTrue();
		}
		assertThat(budget.onFailureAllowsRetry()).as("at half the tokens").isFalse();
		for (int i = 0; i < 20; i++) {
			budget.onFailureAllowsRetry();
		}
		assertThat(budget.tokens()).isZero();
		for (int i = 0; i < 13; i++) {
			budget.onSuccess();
		}
		assertThat(budget.tokens()).isEqualTo(6.5);
		assertThat(budget.onFailureAllowsRetry()).as("5.5 tokens left").isTrue();
		for (int i = 0; i < 100; i++) {
			budget.onSuccess();
		}
		assertThat(budget.tokens()).isEqualTo(10);
	}

}
