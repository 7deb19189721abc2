package io.github.rpcclient.resilience;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.grpc.Status;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.lang.Nullable;

/**
 * The timer of every retry backoff and hedging delay, on one daemon thread. It only schedules:
 * what follows a wait (the next attempt) runs on the call's executor, never on the timer thread.
 * <p>
 * At shutdown it stops first, before the channels: no new wait is accepted, and every call waiting
 * for a retry ends at once with {@code UNAVAILABLE} (its retry could only go to a channel that
 * refuses new calls), so no call is left hanging when the timer thread ends. Calls with an attempt
 * in flight keep their service's {@code shutdown-grace-period}.
 */
public class RetryScheduler implements SmartLifecycle, DisposableBean {

	/** Lifecycle phase: stopped just before the channels. */
	public static final int PHASE = ManagedChannelRegistry.PHASE + 1;

	private final ScheduledThreadPoolExecutor executor;

	private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

	private volatile boolean running;

	private volatile boolean stopped;

	/**
	 * Creates the scheduler and its thread.
	 */
	public RetryScheduler() {
		this.executor = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "grpc-clients-retry-timer");
			thread.setDaemon(true);
			return thread;
		});
		this.executor.setRemoveOnCancelPolicy(true);
	}

	/**
	 * Runs a waiter's task after a delay, unless the scheduler has stopped.
	 * @param waiter the call that waits; told to give up if the scheduler stops first
	 * @param task what to do when the wait is over: only hand work to the call's executor
	 * @param delayMillis the wait
	 * @return the scheduled wait, or {@code null} if the scheduler has stopped (no wait is made)
	 */
	@Nullable
	ScheduledFuture<?> schedule(Waiter waiter, Runnable task, long delayMillis) {
		if (this.stopped) {
			return null;
		}
		this.waiters.add(waiter);
		ScheduledFuture<?> future = this.executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
		if (this.stopped) {
			// Raced with stop(): that may have missed this waiter.
			future.cancel(false);
			this.waiters.remove(waiter);
			return null;
		}
		return future;
	}

	/**
	 * The waiter no longer waits (its wait ended or was cancelled).
	 * @param waiter the waiter
	 */
	void done(Waiter waiter) {
		this.waiters.remove(waiter);
	}

	@Override
	public void start() {
		this.running = true;
	}

	/**
	 * Accepts no new wait and ends every pending one.
	 */
	@Override
	public void stop() {
		this.running = false;
		this.stopped = true;
		Status status = Status.UNAVAILABLE.withDescription("The gRPC client is shutting down");
		for (Waiter waiter : this.waiters) {
			this.waiters.remove(waiter);
			waiter.abandon(status);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public void destroy() {
		stop();
		this.executor.shutdownNow();
	}

	/**
	 * A call that waits on the scheduler.
	 */
	interface Waiter {

		/**
		 * The scheduler stopped during the wait: give up waiting.
		 * @param status why
		 */
		void abandon(Status status);

	}

}
