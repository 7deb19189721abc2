package io.github.rpcclient.channel;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.CallOptions;

/**
 * The executor a call's callbacks run on when the starter, not grpc-java, has to deliver them (a
 * refused call, the end of a retry backoff): the call's own executor ({@link CallOptions#getExecutor()},
 * which a blocking stub sets to the thread it waits on), else a shared pool of daemon threads, as
 * grpc-java's channels use when the caller gave none. Never the caller's frame, never a timer
 * thread. Idle pool threads end after a minute, so the pool needs no shutdown.
 */
public final class CallExecutors {

	private static final Executor SHARED = sharedPool();

	private CallExecutors() {
	}

	/**
	 * @param callOptions the options of a call
	 * @return the executor its callbacks are to run on
	 */
	public static Executor of(CallOptions callOptions) {
		Executor executor = callOptions.getExecutor();
		return (executor != null) ? executor : SHARED;
	}

	/**
	 * Runs a task on an executor, or on the shared pool if that executor refuses it (it was shut
	 * down).
	 * @param executor the executor
	 * @param task the task
	 */
	public static void execute(Executor executor, Runnable task) {
		try {
			executor.execute(task);
		}
		catch (RejectedExecutionException ex) {
			SHARED.execute(task);
		}
	}

	private static Executor sharedPool() {
		AtomicInteger threads = new AtomicInteger();
		ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
				new SynchronousQueue<>(), (task) -> {
					Thread thread = new Thread(task, "grpc-clients-callback-" + threads.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		return pool;
	}

}
