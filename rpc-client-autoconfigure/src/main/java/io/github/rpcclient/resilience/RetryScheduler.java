package io.github.rpcclient.resilience;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;

/**
 * Runs the retry attempts of all services after their backoff, on one daemon thread, so that no
 * caller thread ever sleeps. Shut down with the application context.
 */
public class RetryScheduler implements DisposableBean {

	private final ScheduledThreadPoolExecutor executor;

	/**
	 * Creates the scheduler and its thread.
	 */
	public RetryScheduler() {
		this.executor = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "grpc-clients-retry");
			thread.setDaemon(true);
			return thread;
		});
		this.executor.setRemoveOnCancelPolicy(true);
	}

	/**
	 * Runs a task after a delay.
	 * @param task the task
	 * @param delayMillis the delay
	 * @return the scheduled task
	 * @throws java.util.concurrent.RejectedExecutionException once the scheduler is shut down
	 */
	ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
		return this.executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
