package io.github.rpcclient.resilience;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.resilience.RetryClientInterceptor.RetryPolicy;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.retry.Retry;
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

	/** The header grpc-java's own retry sends with the number of earlier attempts. */
	static final Metadata.Key<String> PREVIOUS_ATTEMPTS = Metadata.Key.of("grpc-previous-rpc-attempts",
			Metadata.ASCII_STRING_MARSHALLER);

	private final MethodDescriptor<Q, R> method;

	private final CallOptions callOptions;

	private final Channel next;

	private final RetryPolicy policy;

	@Nullable
	private final RetryBudget budget;

	private final RetryScheduler scheduler;

	private final Context context;

	@Nullable
	private final Deadline deadline;

	private final Context.CancellationListener onContextCancelled = this::contextCancelled;

	private final Object lock = new Object();

	// Guarded by lock.

	private Listener<R> listener;

	private Metadata headers;

	private final List<Q> messages = new ArrayList<>(1);

	private int requested;

	private boolean halfClosed;

	@Nullable
	private Boolean messageCompression;

	@Nullable
	private volatile ClientCall<Q, R> current;

	private int attempts;

	private boolean committed;

	private boolean cancelled;

	private boolean closed;

	@Nullable
	private ScheduledFuture<?> pendingRetry;

	@Nullable
	private Retry.AsyncContext<Object> outcome;

	RetryingClientCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next, RetryPolicy policy,
			@Nullable RetryBudget budget, RetryScheduler scheduler) {
		this.method = method;
		this.callOptions = callOptions;
		this.next = next;
		this.policy = policy;
		this.budget = budget;
		this.scheduler = scheduler;
		this.context = Context.current();
		Deadline callDeadline = callOptions.getDeadline();
		Deadline contextDeadline = this.context.getDeadline();
		this.deadline = (callDeadline == null) ? contextDeadline
				: (contextDeadline == null) ? callDeadline : callDeadline.minimum(contextDeadline);
	}

	@Override
	public void start(Listener<R> responseListener, Metadata headers) {
		boolean cancelledBefore;
		synchronized (this.lock) {
			this.listener = responseListener;
			cancelledBefore = this.cancelled;
			if (!cancelledBefore) {
				this.headers = new Metadata();
				this.headers.merge(headers);
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
		call.start(new AttemptListener(call), attemptHeaders);
		if (this.requested > 0) {
			call.request(this.requested);
		}
		if (this.messageCompression != null) {
			call.setMessageCompression(this.messageCompression);
		}
		for (Q message : this.messages) {
			call.sendMessage(message);
		}
		if (this.halfClosed) {
			call.halfClose();
		}
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
				Metadata attemptHeaders = new Metadata();
				attemptHeaders.merge(this.headers);
				attemptHeaders.put(PREVIOUS_ATTEMPTS, Integer.toString(this.attempts));
				try {
					startAttempt(attemptHeaders);
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
			if (!this.committed) {
				this.requested = (int) Math.min((long) this.requested + numMessages, Integer.MAX_VALUE);
			}
			if (this.current != null) {
				this.current.request(numMessages);
			}
		}
	}

	@Override
	public void sendMessage(Q message) {
		synchronized (this.lock) {
			if (!this.committed) {
				this.messages.add(message);
			}
			if (this.current != null) {
				this.current.sendMessage(message);
			}
		}
	}

	@Override
	public void halfClose() {
		synchronized (this.lock) {
			this.halfClosed = true;
			if (this.current != null) {
				this.current.halfClose();
			}
		}
	}

	@Override
	public void setMessageCompression(boolean enabled) {
		synchronized (this.lock) {
			this.messageCompression = enabled;
			if (this.current != null) {
				this.current.setMessageCompression(enabled);
			}
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
		Executor executor = this.callOptions.getExecutor();
		if (executor == null) {
			target.onClose(status, new Metadata());
			return;
		}
		try {
			executor.execute(() -> target.onClose(status, new Metadata()));
		}
		catch (RejectedExecutionException ex) {
			target.onClose(status, new Metadata());
		}
	}

	/** Holds the lock. */
	private Retry.AsyncContext<Object> outcome() {
		if (this.outcome == null) {
			this.outcome = this.policy.retry().asyncContext();
		}
		return this.outcome;
	}

	/**
	 * Decides what follows a failed attempt that sent the caller nothing. Holds the lock.
	 * @return the wait before the next attempt in milliseconds, or -1 to give the status to the caller
	 */
	private long nextAttemptDelay(Status status) {
		if (status.isOk()) {
			if (this.budget != null) {
				this.budget.onSuccess();
			}
			outcome().onComplete();
			return -1;
		}
		if (this.cancelled || this.context.isCancelled() || status.getCause() instanceof CallNotPermittedException) {
			return -1;
		}
		boolean retryable = this.policy.retryableCodes().contains(status.getCode());
		if (this.budget != null) {
			if (retryable) {
				retryable = this.budget.onFailureAllowsRetry();
			}
			else {
				this.budget.onSuccess();
			}
		}
		long delay = outcome().onError(new StatusFailure(status, retryable));
		if (delay < 0) {
			return -1;
		}
		if (this.deadline != null
				&& this.deadline.timeRemaining(TimeUnit.NANOSECONDS) <= TimeUnit.MILLISECONDS.toNanos(delay)) {
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

	/** Listens to one attempt. Its callbacks are serialized by gRPC. */
	private final class AttemptListener extends Listener<R> {

		private final ClientCall<Q, R> call;

		@Nullable
		private Metadata responseHeaders;

		private boolean committedHere;

		AttemptListener(ClientCall<Q, R> call) {
			this.call = call;
		}

		@Override
		public void onHeaders(Metadata headers) {
			if (this.committedHere) {
				RetryingClientCall.this.listener.onHeaders(headers);
			}
			else {
				this.responseHeaders = headers;
			}
		}

		@Override
		public void onMessage(R message) {
			if (!this.committedHere) {
				synchronized (RetryingClientCall.this.lock) {
					RetryingClientCall.this.committed = true;
					RetryingClientCall.this.messages.clear();
				}
				this.committedHere = true;
				if (this.responseHeaders != null) {
					RetryingClientCall.this.listener.onHeaders(this.responseHeaders);
					this.responseHeaders = null;
				}
			}
			RetryingClientCall.this.listener.onMessage(message);
		}

		@Override
		public void onReady() {
			if (RetryingClientCall.this.current == this.call) {
				RetryingClientCall.this.listener.onReady();
			}
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			synchronized (RetryingClientCall.this.lock) {
				if (RetryingClientCall.this.current == this.call) {
					RetryingClientCall.this.current = null;
				}
				if (RetryingClientCall.this.closed) {
					return;
				}
				if (this.committedHere) {
					recordCommitted(status);
				}
				else if (nextAttemptDelay(status) >= 0) {
					return;
				}
				RetryingClientCall.this.closed = true;
			}
			if (this.responseHeaders != null) {
				RetryingClientCall.this.listener.onHeaders(this.responseHeaders);
			}
			RetryingClientCall.this.listener.onClose(status, trailers);
		}

		/** Counts the outcome of a call that reached the caller: it is not retried. Holds the lock. */
		private void recordCommitted(Status status) {
			if (status.isOk()) {
				if (RetryingClientCall.this.budget != null) {
					RetryingClientCall.this.budget.onSuccess();
				}
				outcome().onComplete();
			}
			else if (status.getCode() != Status.Code.CANCELLED) {
				outcome().onError(new StatusFailure(status, false));
			}
		}

	}

}
