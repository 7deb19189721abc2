package io.github.rpcclient.resilience;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;

import io.github.resilience4j.retry.Retry;
import io.github.rpcclient.channel.FailingClientCall;
import io.github.rpcclient.resilience.RetryClientInterceptor.RetryPolicy;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * One unary or server-streaming call that is retried, attempt by attempt, until its first
 * response message reaches the caller:
 * <ul>
 * <li>only a status among the policy's retryable codes is retried, never a cancellation by the
 * caller (or of its gRPC context), nor a call refused by an open circuit breaker;</li>
 * <li>the Resilience4j {@link Retry} decides whether to retry and the wait, and counts the
 * outcome; the service's {@link RetryBudget} may refuse a retry;</li>
 * <li>a retry whose wait would end at or after the call's deadline is not made: the caller gets
 * the last attempt's status;</li>
 * <li>each attempt replays the request headers, with {@code grpc-previous-rpc-attempts}, and the
 * request message, flow-control requests and half-close the caller made;</li>
 * <li>response headers are held back until the first message (or the final status), so the
 * caller sees one attempt only.</li>
 * </ul>
 * Waits run on the {@link RetryScheduler}; the caller's thread never blocks.
 */
final class RetryingClientCall<Q, R> extends ClientCall<Q, R> {

	private final MethodDescriptor<Q, R> method;

	private final CallOptions callOptions;

	private final Channel next;

	private final RetryScheduler scheduler;

	private final Context context;

	private final Context.CancellationListener onContextCancelled = this::contextCancelled;

	private final Object lock = new Object();

	// Guarded by lock.

	private Listener<R> listener;

	private final AttemptReplay<Q> replay = new AttemptReplay<>();

	private final RetryOutcome outcome;

	@Nullable
	private volatile ClientCall<Q, R> current;

	private int attempts;

	private boolean cancelled;

	private boolean closed;

	@Nullable
	private ScheduledFuture<?> pendingRetry;

	RetryingClientCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next, RetryPolicy policy,
			@Nullable RetryBudget budget, RetryScheduler scheduler) {
		this.method = method;
		this.callOptions = callOptions;
		this.next = next;
		this.scheduler = scheduler;
		this.context = Context.current();
		Deadline callDeadline = callOptions.getDeadline();
		Deadline contextDeadline = this.context.getDeadline();
		this.outcome = new RetryOutcome(policy, budget, (callDeadline == null) ? contextDeadline
				: (contextDeadline == null) ? callDeadline : callDeadline.minimum(contextDeadline));
	}

	@Override
	public void start(Listener<R> responseListener, Metadata headers) {
		boolean cancelledBefore;
		synchronized (this.lock) {
			this.listener = responseListener;
			cancelledBefore = this.cancelled;
			if (!cancelledBefore) {
				this.replay.recordHeaders(headers);
				startAttempt(headers);
			}
			else {
				this.closed = true;
			}
		}
		if (cancelledBefore) {
			closeWith(responseListener, Status.CANCELLED.withDescription("Call cancelled before it started"));
		}
	}

	/** Starts the next attempt and replays what the caller did so far. Holds the lock. */
	private void startAttempt(Metadata attemptHeaders) {
		ClientCall<Q, R> call = this.next.newCall(this.method, this.callOptions);
		this.current = call;
		this.attempts++;
		call.start(new AttemptListener<>(this, call), attemptHeaders);
		this.replay.replayOnto(call);
	}

	private void retry() {
		Context previous = this.context.attach();
		RuntimeException failure = null;
		try {
			synchronized (this.lock) {
				this.pendingRetry = null;
				this.context.removeListener(this.onContextCancelled);
				if (this.closed) {
					return;
				}
				try {
					startAttempt(this.replay.headersAfter(this.attempts));
				}
				catch (RuntimeException ex) {
					this.current = null;
					this.closed = true;
					failure = ex;
				}
			}
		}
		finally {
			this.context.detach(previous);
		}
		if (failure != null) {
			closeWith(this.listener, Status.INTERNAL.withDescription("Retry attempt failed to start").withCause(failure));
		}
	}

	@Override
	public void request(int numMessages) {
		synchronized (this.lock) {
			this.replay.request(numMessages, this.current);
		}
	}

	@Override
	public void sendMessage(Q message) {
		synchronized (this.lock) {
			this.replay.sendMessage(message, this.current);
		}
	}

	@Override
	public void halfClose() {
		synchronized (this.lock) {
			this.replay.halfClose(this.current);
		}
	}

	@Override
	public void setMessageCompression(boolean enabled) {
		synchronized (this.lock) {
			this.replay.setMessageCompression(enabled, this.current);
		}
	}

	@Override
	public boolean isReady() {
		ClientCall<Q, R> call;
		synchronized (this.lock) {
			call = this.current;
		}
		return call != null && call.isReady();
	}

	@Override
	public Attributes getAttributes() {
		ClientCall<Q, R> call;
		synchronized (this.lock) {
			call = this.current;
		}
		return (call != null) ? call.getAttributes() : Attributes.EMPTY;
	}

	@Override
	public void cancel(@Nullable String message, @Nullable Throwable cause) {
		ClientCall<Q, R> call;
		Listener<R> closeHere = null;
		synchronized (this.lock) {
			if (this.cancelled) {
				return;
			}
			this.cancelled = true;
			call = this.current;
			if (call == null && !this.closed && this.listener != null) {
				if (this.pendingRetry != null) {
					this.pendingRetry.cancel(false);
					this.pendingRetry = null;
					this.context.removeListener(this.onContextCancelled);
				}
				this.closed = true;
				closeHere = this.listener;
			}
		}
		if (call != null) {
			call.cancel(message, cause);
		}
		else if (closeHere != null) {
			Status status = Status.CANCELLED.withDescription((message != null) ? message : "Call cancelled");
			closeWith(closeHere, (cause != null) ? status.withCause(cause) : status);
		}
	}

	/**
	 * Closes the call with a status of its own, while no attempt runs, on the call's executor (a
	 * blocking stub waits on its executor, not on the listener).
	 */
	private void closeWith(Listener<R> target, Status status) {
		FailingClientCall.closeOn(this.callOptions.getExecutor(), target, status);
	}

	/**
	 * Decides what follows a failed attempt that sent the caller nothing. Holds the lock.
	 * @return the wait before the next attempt in milliseconds, or -1 to give the status to the caller
	 */
	private long nextAttemptDelay(Status status) {
		if (status.isOk()) {
			this.outcome.succeeded();
			return -1;
		}
		if (this.cancelled || this.context.isCancelled()) {
			return -1;
		}
		long delay = this.outcome.failed(status);
		if (delay < 0) {
			return -1;
		}
		try {
			this.pendingRetry = this.scheduler.schedule(this::retry, delay);
		}
		catch (RejectedExecutionException ex) {
			return -1;
		}
		this.context.addListener(this.onContextCancelled, Runnable::run);
		return delay;
	}

	/** Ends the call during a backoff when the caller's gRPC context is cancelled or expires. */
	private void contextCancelled(Context cancelled) {
		Listener<R> closeHere = null;
		synchronized (this.lock) {
			if (this.pendingRetry != null && !this.closed) {
				this.pendingRetry.cancel(false);
				this.pendingRetry = null;
				this.closed = true;
				closeHere = this.listener;
			}
		}
		if (closeHere != null) {
			closeWith(closeHere, Contexts.statusFromCancelled(cancelled));
		}
	}

	/** @return the caller's listener */
	Listener<R> listener() {
		return this.listener;
	}

	/** The caller received a response of the current attempt: no other attempt will be made. */
	void commit() {
		synchronized (this.lock) {
			this.replay.commit();
		}
	}

	/**
	 * @param attempt an attempt
	 * @return whether it is the one running now
	 */
	boolean isCurrent(ClientCall<Q, R> attempt) {
		return this.current == attempt;
	}

	/**
	 * An attempt closed: counts its outcome and schedules the next attempt if there is one.
	 * @param attempt the attempt
	 * @param status its status
	 * @param committed whether the caller received a response of it
	 * @return whether the caller is to be given this status (no other attempt follows)
	 */
	boolean attemptClosed(ClientCall<Q, R> attempt, Status status, boolean committed) {
		synchronized (this.lock) {
			if (this.current == attempt) {
				this.current = null;
			}
			if (this.closed) {
				return false;
			}
			if (committed) {
				this.outcome.committedAttemptEnded(status);
			}
			else if (nextAttemptDelay(status) >= 0) {
				return false;
			}
			this.closed = true;
			return true;
		}
	}

}
