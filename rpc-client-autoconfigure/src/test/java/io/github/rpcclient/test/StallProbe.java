package io.github.rpcclient.test;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures when this JVM's threads were not run at all: a daemon thread parks for 5 ms again and
 * again and records every wake-up later than {@code threshold} as a stall (the machine was busy
 * elsewhere: host steal on a VM, CPU starvation, a GC pause). Timing tests subtract the stalls
 * that overlap what they time, so that a bound on our code's waits holds on a loaded machine
 * without loosening it.
 */
public final class StallProbe implements AutoCloseable {

	private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private final long thresholdNanos;

	private final Queue<long[]> stalls = new ConcurrentLinkedQueue<>();

	private final Thread thread;

	private volatile boolean running = true;

	private StallProbe(Duration threshold) {
		this.thresholdNanos = threshold.toNanos();
		this.thread = new Thread(this::probe, "stall-probe");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Starts probing.
	 * @param threshold the shortest delay of a wake-up that counts as a stall
	 * @return the probe, to close
	 */
	public static StallProbe start(Duration threshold) {
		return new StallProbe(threshold);
	}

	private void probe() {
		while (this.running) {
			long parked = System.nanoTime();
			LockSupport.parkNanos(PARK_NANOS);
			long woke = System.nanoTime();
			if (woke - parked - PARK_NANOS > this.thresholdNanos) {
				this.stalls.add(new long[] { parked + PARK_NANOS, woke });
			}
		}
	}

	/**
	 * @param fromNanos the start of a period ({@link System#nanoTime()})
	 * @param toNanos its end
	 * @return how much of it the probe saw stalled
	 */
	public long stalledNanos(long fromNanos, long toNanos) {
		long stalled = 0;
		for (long[] stall : this.stalls) {
			long overlap = Math.min(toNanos, stall[1]) - Math.max(fromNanos, stall[0]);
			if (overlap > 0) {
				stalled += overlap;
			}
		}
		return stalled;
	}

	/** @return the longest stall seen */
	public Duration longest() {
		return Duration.ofNanos(this.stalls.stream().mapToLong((stall) -> stall[1] - stall[0]).max().orElse(0));
	}

	@Override
	public void close() {
		this.running = false;
		LockSupport.unpark(this.thread);
	}

}
