package io.github.rpcclient.resilience;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts events over a sliding window of time, kept in a ring of equal time slices: a count is
 * added to the slice of its time, and the sum covers the slices of the last window, the current
 * one included, so counts expire a slice at a time. Lock-free and striped (a {@link LongAdder} per
 * slice); nothing is allocated per event, only the adders' cells when contention first appears.
 * <p>
 * Approximate under concurrency: a count added while its slice is being recycled for a new period
 * may be lost or land in the new period, and a sum read during updates may miss the newest counts.
 * Times are {@link System#nanoTime()} values, given by the caller.
 */
final class WindowedCounter {

	private static final AtomicLongFieldUpdater<Slice> PERIOD = AtomicLongFieldUpdater.newUpdater(Slice.class,
			"period");

	private final long sliceNanos;

	private final Slice[] slices;

	/**
	 * @param windowNanos the length of the window
	 * @param sliceCount the number of slices it is kept in
	 */
	WindowedCounter(long windowNanos, int sliceCount) {
		this.sliceNanos = Math.max(windowNanos / sliceCount, 1);
		this.slices = new Slice[sliceCount];
		for (int i = 0; i < sliceCount; i++) {
			this.slices[i] = new Slice();
		}
	}

	/**
	 * Counts one event.
	 * @param now the time of the event
	 * @return the slice it was counted in, for {@link #undo}
	 */
	Slice increment(long now) {
		long period = Math.floorDiv(now, this.sliceNanos);
		Slice slice = this.slices[(int) Math.floorMod(period, (long) this.slices.length)];
		long seen = slice.period;
		if (seen < period && PERIOD.compareAndSet(slice, seen, period)) {
			slice.count.reset();
		}
		slice.count.increment();
		return slice;
	}

	/**
	 * Takes back an event counted by {@link #increment}, unless its slice has been recycled since.
	 * @param slice the slice it was counted in
	 * @param now the time it was counted at
	 */
	void undo(Slice slice, long now) {
		if (slice.period == Math.floorDiv(now, this.sliceNanos)) {
			slice.count.decrement();
		}
	}

	/**
	 * @param now the current time
	 * @return the events counted in the window that ends at the current time's slice
	 */
	long sum(long now) {
		long newest = Math.floorDiv(now, this.sliceNanos);
		long oldest = newest - this.slices.length + 1;
		long sum = 0;
		for (Slice slice : this.slices) {
			long period = slice.period;
			if (period >= oldest && period <= newest) {
				sum += slice.count.sum();
			}
		}
		return sum;
	}

	/** The count of one slice of time, and which period it holds. */
	static final class Slice {

		volatile long period = Long.MIN_VALUE;

		final LongAdder count = new LongAdder();

	}

}
