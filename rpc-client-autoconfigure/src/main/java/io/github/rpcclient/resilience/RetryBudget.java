package io.github.rpcclient.resilience;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.github.rpcclient.settings.RetrySettings;

/**
 * The retry budget of one service, shared by all its calls, that lets retries grow with traffic
 * but never turns an outage into a retry storm. Like Finagle's {@code RetryBudget}, every call that
 * may be retried makes a {@link #deposit() deposit} and every retry (or extra hedged attempt) a
 * {@link #tryWithdraw() withdrawal}; a retry is allowed:
 * <ul>
 * <li>while the retries of the last {@code window} stay within {@code ratio} times the calls of
 * that window (default 20% over 10s): a service making thousands of calls a second can retry every
 * call that meets a backend killed under it; or else</li>
 * <li>while the retries taken beyond the ratio in the last second stay within
 * {@code min-retries-per-second} (default 10): a service with little traffic still retries.</li>
 * </ul>
 * <p>
 * The floor is a <em>rate</em>, not a reserve. Finagle's reserve holds
 * {@code minRetriesPerSec × ttl} retries, all of which can be spent at once: 100 with these
 * defaults, so 200 calls to a dead backend could make 340 attempts, 1.7 per call, and a service
 * with little traffic would retry a whole outage's worth of calls. Here a retry the floor did not
 * give within a second is lost: a burst of calls to a dead backend makes at most
 * {@code (1 + ratio)} attempts per call plus {@code min-retries-per-second} for each second the
 * burst lasts (200 calls within a second: at most 250 attempts).
 * <p>
 * Calls and retries are counted in ten time slices per window, and the floor's retries in tenths of
 * a second ({@link WindowedCounter}); counts expire a slice at a time, so a call counts for between
 * nine and ten tenths of the window, and "the last second" of the floor is the last ten tenths. A
 * deposit adds to the {@link java.util.concurrent.atomic.LongAdder} of its slice: no lock, and no
 * allocation per call (a new slice per tenth of the window). A withdrawal counts itself first,
 * then checks the sums and takes itself back if they are over the limit, so that concurrent
 * withdrawals may refuse one another but do not overdraw the budget. A refused retry ends the call
 * with the status of its last attempt.
 */
final class RetryBudget {

	private static final int SLICES = 10;

	private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

	/** The ratio is kept in millionths, for exact integer arithmetic. */
	private static final long RATIO_SCALE = 1_000_000;

	private final LongSupplier nanoTime;

	private final long ratio;

	private final long minRetriesPerSecond;

	private final WindowedCounter calls;

	private final WindowedCounter retries;

	private final WindowedCounter floorRetries;

	/**
	 * Creates the budget of a service.
	 * @param budget its settings
	 */
	RetryBudget(RetrySettings.Budget budget) {
		this(budget, System::nanoTime);
	}

	/**
	 * Creates a budget that reads the time from a clock of its own, for tests.
	 * @param budget its settings
	 * @param nanoTime the clock, as {@link System#nanoTime()}
	 */
	RetryBudget(RetrySettings.Budget budget, LongSupplier nanoTime) {
		this.nanoTime = nanoTime;
		this.ratio = Math.round(budget.ratio() * RATIO_SCALE);
		this.minRetriesPerSecond = budget.minRetriesPerSecond();
		long window = budget.window().toNanos();
		this.calls = new WindowedCounter(window, SLICES);
		this.retries = new WindowedCounter(window, SLICES);
		this.floorRetries = new WindowedCounter(ONE_SECOND, SLICES);
	}

	/**
	 * Counts a call that may be retried; made once per call, at its first attempt.
	 */
	void deposit() {
		this.calls.increment(this.nanoTime.getAsLong());
	}

	/**
	 * Takes a retry from the budget; made before each retry or extra hedged attempt.
	 * @return whether the retry is allowed (and was taken)
	 */
	boolean tryWithdraw() {
		long now = this.nanoTime.getAsLong();
		return withdraw(this.retries, now, RATIO_SCALE, this.ratio * this.calls.sum(now))
				|| withdraw(this.floorRetries, now, 1, this.minRetriesPerSecond);
	}

	/**
	 * Counts a retry, then takes it back unless {@code retries × scale <= limit}.
	 */
	private static boolean withdraw(WindowedCounter retries, long now, long scale, long limit) {
		if (limit < scale) {
			return false;
		}
		WindowedCounter.Slice slice = retries.increment(now);
		if (retries.sum(now) * scale <= limit) {
			return true;
		}
		retries.undo(slice);
		return false;
	}

}
