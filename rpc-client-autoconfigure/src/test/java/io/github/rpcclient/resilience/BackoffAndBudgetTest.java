package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.github.rpcclient.properties.RetryProperties.BackoffType;
import io.github.rpcclient.settings.RetrySettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backoff shapes, and the retry budget on a fake clock: the ratio over the window, slices
 * expiring, the floor as a rate, and many threads at once.
 */
class BackoffAndBudgetTest {

	private static BackoffIntervalFunction backoff(BackoffType type, double jitter) {
		return new BackoffIntervalFunction(new RetrySettings(true, 3, Duration.ofMillis(100), Duration.ofMillis(350), 2,
				jitter, type, Set.of(), Set.of(), new RetrySettings.Budget(true, 0.2, Duration.ofSeconds(10), 10)));
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
	void budgetAllowsRetriesUpToTheRatioOfTheCallsInTheWindow() {
		FakeClock clock = new FakeClock();
		RetryBudget budget = budget(0.2, 10, 0, clock);
		assertThat(budget.tryWithdraw()).as("no calls yet").isFalse();
		deposit(budget, 100);
		assertThat(withdrawAll(budget)).as("retries for 100 calls").isEqualTo(20);
		clock.advance(Duration.ofSeconds(5));
		assertThat(budget.tryWithdraw()).as("5s later, the same calls and retries in the window").isFalse();
		deposit(budget, 5);
		assertThat(withdrawAll(budget)).as("retries for 5 more calls").isEqualTo(1);
	}

	@Test
	void callsAndRetriesExpireASliceAtATime() {
		FakeClock clock = new FakeClock();
		RetryBudget budget = budget(0.2, 10, 0, clock);
		deposit(budget, 100);
		assertThat(withdrawAll(budget)).isEqualTo(20);
		clock.advance(Duration.ofSeconds(5));
		deposit(budget, 50);
		assertThat(withdrawAll(budget)).as("retries for 150 calls, 20 taken").isEqualTo(10);
		clock.advance(Duration.ofMillis(4999));
		assertThat(budget.tryWithdraw()).as("just before the first slice expires").isFalse();
		clock.advance(Duration.ofMillis(1));
		// the first 100 calls and their 20 retries expired: 50 calls, 10 retries
		assertThat(budget.tryWithdraw()).isFalse();
		deposit(budget, 50);
		assertThat(withdrawAll(budget)).as("retries for 50 more calls").isEqualTo(10);
		clock.advance(Duration.ofSeconds(10));
		assertThat(budget.tryWithdraw()).as("everything expired").isFalse();
		deposit(budget, 5);
		assertThat(withdrawAll(budget)).isEqualTo(1);
	}

	@Test
	void theFloorIsARateThatDoesNotAccumulate() {
		FakeClock clock = new FakeClock();
		RetryBudget budget = budget(0, 10, 10, clock);
		assertThat(withdrawAll(budget)).as("retries without any call").isEqualTo(10);
		clock.advance(Duration.ofMillis(500));
		assertThat(budget.tryWithdraw()).as("within the same second").isFalse();
		clock.advance(Duration.ofMillis(500));
		assertThat(withdrawAll(budget)).as("a second later").isEqualTo(10);
		clock.advance(Duration.ofSeconds(60));
		assertThat(withdrawAll(budget)).as("after a minute without retries").isEqualTo(10);
		clock.advance(Duration.ofMillis(300));
		assertThat(withdrawAll(budget)).as("0.3s later, within the sliding second").isZero();
		clock.advance(Duration.ofMillis(700));
		assertThat(withdrawAll(budget)).as("1s after the last ones").isEqualTo(10);
	}

	@Test
	void aCallerWithALateClockReadingSeesTheNewerRetries() {
		FakeClock clock = new FakeClock();
		RetryBudget budget = budget(0, 10, 10, clock);
		clock.advance(Duration.ofMillis(1050));
		assertThat(withdrawAll(budget)).isEqualTo(10);
		// a thread that read the clock 100ms earlier, in the previous tenth of a second
		clock.advance(Duration.ofMillis(-100));
		assertThat(budget.tryWithdraw()).as("late reading").isFalse();
	}

	@Test
	void theFloorAddsToTheRatioSoABurstOfCallsToADeadBackendMakesFewRetries() {
		FakeClock clock = new FakeClock();
		RetryBudget budget = budget(0.2, 10, 10, clock);
		deposit(budget, 200);
		int retries = withdrawAll(budget);
		assertThat(retries).as("retries for 200 calls in a second").isEqualTo(40 + 10);
		assertThat(200 + retries).as("attempts").isLessThanOrEqualTo((int) (1.3 * 200));
	}

	@Test
	void aRatioAboveOneAllowsSeveralRetriesPerCall() {
		RetryBudget budget = budget(2.5, 10, 0, new FakeClock());
		deposit(budget, 4);
		assertThat(withdrawAll(budget)).isEqualTo(10);
	}

	@Test
	void aBudgetOfZeroAllowsNoRetry() {
		RetryBudget budget = budget(0, 10, 0, new FakeClock());
		deposit(budget, 1000);
		assertThat(budget.tryWithdraw()).isFalse();
	}

	@Test
	void concurrentCallersNeverOverdrawTheBudget() throws Exception {
		int threads = 16;
		int callsPerThread = 50_000;
		AtomicLong time = new AtomicLong();
		// every reading of the clock moves it 1 microsecond: 1.6s of floor, no call expires
		RetryBudget budget = budget(0.2, 10, 10, () -> time.addAndGet(1000));
		LongAdder retries = new LongAdder();
		CyclicBarrier start = new CyclicBarrier(threads);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				done.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < callsPerThread; i++) {
						budget.deposit();
						if (budget.tryWithdraw()) {
							retries.increment();
						}
					}
					return null;
				}));
			}
			for (Future<?> thread : done) {
				thread.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		long calls = (long) threads * callsPerThread;
		double seconds = time.get() / 1e9;
		long floor = 10 * ((long) Math.ceil(seconds) + 1);
		System.out.printf("budget under %d threads: %d calls, %d retries (%.4f per call) in %.2f clock seconds%n",
				threads, calls, retries.sum(), retries.sum() / (double) calls, seconds);
		assertThat(retries.sum()).as("retries for %d calls", calls)
			.isLessThanOrEqualTo((long) (0.2 * calls) + floor)
			.isGreaterThanOrEqualTo((long) (0.2 * calls) - 2 * threads);
	}

	private static RetryBudget budget(double ratio, int windowSeconds, int minRetriesPerSecond, LongSupplier clock) {
		return new RetryBudget(
				new RetrySettings.Budget(true, ratio, Duration.ofSeconds(windowSeconds), minRetriesPerSecond), clock);
	}

	private static void deposit(RetryBudget budget, int calls) {
		for (int i = 0; i < calls; i++) {
			budget.deposit();
		}
	}

	/** @return how many retries the budget gives now */
	private static int withdrawAll(RetryBudget budget) {
		int retries = 0;
		while (budget.tryWithdraw()) {
			retries++;
			assertThat(retries).as("retries taken at once").isLessThan(100_000);
		}
		return retries;
	}

	/** A clock that moves only when told, starting at a negative reading on a whole second. */
	private static final class FakeClock implements LongSupplier {

		private long nanos = -123_000_000_000L;

		@Override
		public long getAsLong() {
			return this.nanos;
		}

		void advance(Duration duration) {
			this.nanos += duration.toNanos();
		}

	}

}
