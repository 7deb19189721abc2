package io.github.rpcclient.resilience;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts events over a sliding window of time, kept in a ring of equal time slices: a count is
 * added to the slice of its time, and the sum covers the slices of the last window, the current
 * one included, so counts expire a slice at a time.
 * <p>
 * Lock-free and striped: each slice counts in a {@link LongAdder}. When its place in the ring comes
 * round again, a slice is replaced by a new one (compare-and-set), never reset, so that no count of
 * the new period is lost and no count of the old one leaks into it. Nothing is allocated per event,
 * only a slice per slice of time (and its adder's cells when contention first appears). A caller
 * whose reading of the clock is late counts into the newer slice it finds, and its sums include the
 * slices newer than its reading. A sum read during updates may miss the newest counts.
 * Times are {@link System#nanoTime()} values, given by the caller.
 */
final class WindowedCounter {

	private final long sliceNanos;

	private final AtomicReferenceArray<Slice> slices;

	/**
	 * @param windowNanos the length of the window
	 * @param sliceCount the number of slices it is kept in
	 */
	WindowedCounter(long windowNanos, int sliceCount) {
		this.sliceNanos = Math.max(windowNanos / sliceCount, 1);
		this.slices = new AtomicReferenceArray<>(sliceCount);
		for (int i = 0; i < sliceCount; i++) {
			this.slices.set(i, new Slice(Long.MIN_VALUE));
		}
	}

	/**
	 * Counts one event.
	 * @param now the time of the event
	 * @return the slice it was counted in, for {@link #undo}
	 */
	Slice increment(long now) {
		Slice slice = slice(Math.floorDiv(now, this.sliceNanos));
		slice.count.increment();
		return slice;
	}

	/**
	 * Takes back an event counted by {@link #increment}; if its slice has expired since, there is
	 * nothing to take back.
	 * @param slice the slice it was counted in
	 */
	void undo(Slice slice) {
		slice.count.decrement();
	}

	/**
	 * @param now the current time
	 * @return the events counted in the window that ends at the current time's slice
	 */
	long sum(long now) {
		long oldest = Math.floorDiv(now, this.sliceNanos) - this.slices.length() + 1;
		long sum = 0;
		for (int i = 0; i < this.slices.length(); i++) {
			Slice slice = this.slices.get(i);
			if (slice.period >= oldest) {
				sum += slice.count.sum();
			}
		}
		return sum;
	}

	/** @return the slice of a period, or a newer one in its place */
	private Slice slice(long period) {
		int index = (int) Math.floorMod(period, (long) this.slices.length());
		while (true) {
			Slice slice = this.slices.get(index);
			if (slice.period >= period) {
				return slice;
			}
			Slice fresh = new Slice(period);
			if (this.slices.compareAndSet(index, slice, fresh)) {
				return fresh;
			}
		}
	}

	/** The count of one slice of time. */
	static final class Slice {

		final long period;

		final LongAdder count = new LongAdder();

		Slice(long period) {
			this.period = period;
		}

	}

}
