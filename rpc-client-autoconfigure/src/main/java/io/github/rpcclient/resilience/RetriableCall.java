package io.github.rpcclient.resilience;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

import io.github.rpcclient.channel.CallExecutors;
import io.github.rpcclient.channel.FailingClientCall;
import io.github.rpcclient.resilience.AttemptReplay.Progress;
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
 * One unary or server-streaming call that is retried or hedged, by the rules of gRFC A6 and
 * grpc-java's {@code RetriableStream}:
 * <ul>
 * <li>the call <em>commits</em> to an attempt as soon as that attempt receives response headers
 * (a server that sent headers may have acted), a message, or a final status; from then on only
 * that attempt reaches the caller, the others are cancelled and nothing more is retried;</li>
 * <li>a retry waits for its backoff (or the server's pushback) on the {@link RetryScheduler} and
 * then starts on the call's executor, never on the timer thread; {@link RetryOutcome} decides
 * whether there is one;</li>
 * <li>a hedged call starts its first attempt at once and another after each hedging delay; an
 * attempt failing with a non-fatal code lets the others run and brings the next one forward; any
 * other status ends the call;</li>
 * <li>each attempt replays the caller's headers (with {@code grpc-previous-rpc-attempts}),
 * flow-control requests, messages and half-close; messages past the replay limits commit the call
 * to its current attempt;</li>
 * <li>the caller's cancellation, or its context's, ends the call during a wait as well as during
 * an attempt; so does the scheduler stopping at shutdown.</li>
 * </ul>
 * Every call ends with exactly one status. The call's lock guards its state only: attempts are
 * created, started and told what to do outside it, and the caller's listener is never called
 * under it. {@link ClientCall#getAttributes()} stays that of the committed attempt after the call
 * closed.
 */
final class RetriableCall<Q, R> extends ClientCall<Q, R> implements RetryScheduler.Waiter {

	private final MethodDescriptor<Q, R> method;

	private final CallOptions callOptions;

	private final Channel next;

	private final CallPolicy policy;

	private final RetryScheduler scheduler;

	private final Executor callExecutor;

	private final Context context;

	/** Made on the first wait alone: most calls never wait. */
	@Nullable
	private Context.CancellationListener onContextCancelled;

	private final Object lock = new Object();

	// Guarded by lock.

	private Listener<R> listener;

	private final AttemptReplay<Q> replay;

	private final RetryOutcome outcome;

	private final List<Attempt> active = new ArrayList<>(1);

	private int attempts;

	private boolean cancelled;

	private boolean closed;

	private boolean noMoreAttempts;

	@Nullable
	private ScheduledFuture<?> timer;

	/** Tells a timer that fired from one that was cancelled or replaced. */
	private int timerGeneration;

	/** The pending wait has no attempt running beside it: ending the call is up to this class. */
	private boolean waitingAlone;

	@Nullable
	private Status lastFailure;

	@Nullable
	private Metadata lastTrailers;

	// Read without the lock.

	@Nullable
	private volatile Attempt winner;

	@Nullable
	private volatile Attempt latest;

	RetriableCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next, CallPolicy policy,
			RetryScheduler scheduler) {
		this.method = method;
		this.callOptions = callOptions;
		this.next = next;
		this.policy = policy;
		this.scheduler = scheduler;
		this.callExecutor = CallExecutors.of(callOptions);
		this.context = Context.current();
		this.replay = new AttemptReplay<>(method, policy.limits());
		Deadline callDeadline = callOptions.getDeadline();
		Deadline contextDeadline = this.context.getDeadline();
		this.outcome = new RetryOutcome(policy, (callDeadline == null) ? contextDeadline
				: (contextDeadline == null) ? callDeadline : callDeadline.minimum(contextDeadline));
	}

	@Override
	public void start(Listener<R> responseListener, Metadata headers) {
		boolean cancelledBefore;
		synchronized (this.lock) {
			this.listener = responseListener;
			cancelledBefore = this.cancelled;
			if (cancelledBefore) {
				this.closed = true;
			}
			else {
				this.replay.recordHeaders(headers);
				this.attempts = 1;
				if (this.policy.hedged() && this.policy.maxAttempts() > 1) {
					schedule(this.policy.hedging().delay().toMillis(), false);
				}
			}
		}
		if (cancelledBefore) {
			closeLater(Status.CANCELLED.withDescription("Call cancelled before it started"));
			return;
		}
		startAttempt(headers);
	}

	/**
	 * Creates, starts and brings up to date one attempt, outside the lock; its place among the
	 * attempts is already counted.
	 * @param headers its request headers
	 */
	private void startAttempt(Metadata headers) {
		ClientCall<Q, R> call;
		try {
			call = this.next.newCall(this.method, this.callOptions);
		}
		catch (RuntimeException ex) {
			failedToStart(null, ex);
			return;
		}
		Attempt attempt = new Attempt(call);
		synchronized (this.lock) {
			if (this.closed || this.winner != null || this.cancelled) {
				attempt = null;
			}
			else {
				this.active.add(attempt);
				this.latest = attempt;
			}
		}
		if (attempt == null) {
			call.cancel("Attempt no longer needed", null);
			return;
		}
		try {
			call.start(attempt, headers);
		}
		catch (RuntimeException ex) {
			call.cancel("Attempt failed to start", ex);
			failedToStart(attempt, ex);
			return;
		}
		drain(attempt);
	}

	/**
	 * An attempt could not be created or started (an interceptor or the transport threw): the call
	 * ends with {@code INTERNAL}, unless other hedged attempts still run.
	 */
	private void failedToStart(@Nullable Attempt attempt, RuntimeException failure) {
		Status status = Status.INTERNAL.withDescription("A call attempt failed to start").withCause(failure);
		synchronized (this.lock) {
			if (attempt != null) {
				if (attempt.closed) {
					return;
				}
				attempt.closed = true;
				this.active.remove(attempt);
			}
			if (this.closed || this.winner != null || !this.active.isEmpty()) {
				return;
			}
			if (this.cancelled) {
				status = Status.CANCELLED.withDescription("Call cancelled").withCause(failure);
			}
			commit(attempt);
			this.replay.release();
			this.closed = true;
		}
		closeLater(status);
	}

	/** Brings an attempt up to date with the caller, one step at a time, outside the lock. */
	private void drain(Attempt attempt) {
		Progress<Q> progress = attempt.progress;
		while (true) {
			synchronized (this.lock) {
				if (attempt.closed || (this.winner != null && this.winner != attempt)) {
					return;
				}
				if (!this.replay.nextStep(progress)) {
					attempt.drained = true;
					if (this.winner == attempt) {
						this.replay.release();
					}
					return;
				}
			}
			attempt.apply(progress);
		}
	}

	@Override
	public void request(int numMessages) {
		Attempt target = direct();
		if (target != null) {
			target.call.request(numMessages);
			return;
		}
		Object targets;
		synchronized (this.lock) {
			this.replay.request(numMessages);
			targets = catchUp();
		}
		takeSteps(targets);
	}

	@Override
	public void sendMessage(Q message) {
		Attempt target = direct();
		if (target != null) {
			target.call.sendMessage(message);
			return;
		}
		Object targets;
		List<Attempt> losers = null;
		synchronized (this.lock) {
			boolean fits = this.replay.sendMessage(message);
			targets = catchUp();
			if (!fits && !this.noMoreAttempts) {
				// No attempt after the running one (or the one a pending retry starts).
				this.noMoreAttempts = true;
				if (this.policy.hedged()) {
					cancelTimer();
				}
				if (this.winner == null && !this.active.isEmpty()) {
					losers = commit(this.active.get(0));
				}
			}
		}
		takeSteps(targets);
		cancelAll(losers, "The request outgrew the retry buffer: the call committed to another attempt");
	}

	@Override
	public void halfClose() {
		Attempt target = direct();
		if (target != null) {
			target.call.halfClose();
			return;
		}
		Object targets;
		synchronized (this.lock) {
			this.replay.halfClose();
			targets = catchUp();
		}
		takeSteps(targets);
	}

	@Override
	public void setMessageCompression(boolean enabled) {
		Attempt target = direct();
		if (target != null) {
			target.call.setMessageCompression(enabled);
			return;
		}
		Object targets;
		synchronized (this.lock) {
			this.replay.setMessageCompression(enabled);
			targets = catchUp();
		}
		takeSteps(targets);
	}

	/** @return the committed attempt once it is up to date: the caller then talks to it alone */
	@Nullable
	private Attempt direct() {
		Attempt committed = this.winner;
		return (committed != null && committed.drained) ? committed : null;
	}

	/**
	 * Moves every up-to-date attempt one step forward (the one the caller just took). Holds the
	 * lock.
	 * @return the attempts that are to take the step: {@code null} for none, an {@link Attempt}
	 * for one (no allocation in the common case), else an array of them
	 */
	@Nullable
	private Object catchUp() {
		Object targets = null;
		for (Attempt attempt : this.active) {
			if (attempt.drained && !attempt.closed && this.replay.nextStep(attempt.progress)) {
				if (targets == null) {
					targets = attempt;
				}
				else {
					Object[] all = (targets instanceof Object[] array) ? array : new Object[] { targets };
					all = Arrays.copyOf(all, all.length + 1);
					all[all.length - 1] = attempt;
					targets = all;
				}
			}
		}
		return targets;
	}

	/** Each of the targets of {@link #catchUp()} takes its step, outside the lock. */
	@SuppressWarnings("unchecked")
	private void takeSteps(@Nullable Object targets) {
		if (targets instanceof Object[] array) {
			for (Object target : array) {
				((Attempt) target).apply(((Attempt) target).progress);
			}
		}
		else if (targets != null) {
			((Attempt) targets).apply(((Attempt) targets).progress);
		}
	}

	@Override
	public boolean isReady() {
		Attempt committed = this.winner;
		if (committed != null) {
			return committed.call.isReady();
		}
		Attempt current = this.latest;
		return !this.policy.hedged() && current != null && current.drained && current.call.isReady();
	}

	@Override
	public Attributes getAttributes() {
		Attempt committed = this.winner;
		Attempt attempt = (committed != null) ? committed : this.latest;
		return (attempt != null) ? attempt.call.getAttributes() : Attributes.EMPTY;
	}

	@Override
	public void cancel(@Nullable String message, @Nullable Throwable cause) {
		List<Attempt> targets;
		boolean closeHere = false;
		synchronized (this.lock) {
			if (this.cancelled) {
				return;
			}
			this.cancelled = true;
			targets = new ArrayList<>(this.active);
			cancelTimer();
			if (this.active.isEmpty() && !this.closed && this.listener != null) {
				this.closed = true;
				closeHere = true;
			}
		}
		for (Attempt attempt : targets) {
			attempt.call.cancel(message, cause);
		}
		if (closeHere) {
			Status status = Status.CANCELLED.withDescription((message != null) ? message : "Call cancelled");
			closeLater((cause != null) ? status.withCause(cause) : status);
		}
	}

	/**
	 * Closes the caller's listener with a status of the call's own, on the call's executor; only
	 * when no attempt can reach the listener any more.
	 */
	private void closeLater(Status status) {
		FailingClientCall.closeOn(this.callExecutor, this.listener, status);
	}

	/**
	 * Commits the call to an attempt. Holds the lock.
	 * @param attempt the attempt, or {@code null} to commit to none (the call ends by itself)
	 * @return the other attempts, to be cancelled outside the lock
	 */
	@Nullable
	private List<Attempt> commit(@Nullable Attempt attempt) {
		cancelTimer();
		this.noMoreAttempts = true;
		if (attempt != null) {
			this.winner = attempt;
			if (attempt.drained) {
				this.replay.release();
			}
		}
		else {
			this.replay.release();
		}
		if (this.active.size() <= ((attempt != null) ? 1 : 0)) {
			return null;
		}
		List<Attempt> others = new ArrayList<>(this.active);
		others.remove(attempt);
		return others;
	}

	private static void cancelAll(@Nullable List<? extends RetriableCall<?, ?>.Attempt> attempts, String why) {
		if (attempts != null) {
			for (RetriableCall<?, ?>.Attempt attempt : attempts) {
				attempt.call.cancel(why, null);
			}
		}
	}

	/** Cancels the pending wait, if any. Holds the lock. */
	private void cancelTimer() {
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
			this.scheduler.done(this);
			if (this.waitingAlone) {
				this.waitingAlone = false;
				this.context.removeListener(this.onContextCancelled);
			}
		}
	}

	/**
	 * Schedules the next attempt: a retry after its backoff, or a hedge after its delay. Holds the
	 * lock.
	 * @param alone whether no attempt runs meanwhile, which then cannot end the call
	 * @return whether it is scheduled (not if the scheduler has stopped)
	 */
	private boolean schedule(long delayMillis, boolean alone) {
		cancelTimer();
		int generation = ++this.timerGeneration;
		this.timer = this.scheduler.schedule(this,
				() -> CallExecutors.execute(this.callExecutor, () -> timerFired(generation)), Math.max(delayMillis, 0));
		if (this.timer == null) {
			return false;
		}
		if (alone) {
			// No attempt runs to end the call: the caller's context must be able to.
			this.waitingAlone = true;
			if (this.onContextCancelled == null) {
				this.onContextCancelled = this::contextCancelled;
			}
			this.context.addListener(this.onContextCancelled, Runnable::run);
		}
		return true;
	}

	/** A wait is over: starts the next attempt, on the call's executor. */
	private void timerFired(int generation) {
		Metadata headers;
		Status giveUp = null;
		synchronized (this.lock) {
			if (this.timer == null || generation != this.timerGeneration) {
				return;
			}
			cancelTimer();
			if (this.closed || this.cancelled || this.winner != null) {
				return;
			}
			if (this.policy.hedged()) {
				if (this.noMoreAttempts || this.attempts >= this.policy.maxAttempts() || !this.outcome.hedgeAllowed()) {
					this.noMoreAttempts = true;
					if (!this.active.isEmpty()) {
						return;
					}
					// Every attempt failed with a non-fatal status, and no other may follow.
					commit(null);
					this.closed = true;
					giveUp = this.lastFailure;
				}
				else if (this.attempts + 1 < this.policy.maxAttempts()) {
					schedule(this.policy.hedging().delay().toMillis(), false);
				}
			}
			if (giveUp == null) {
				headers = this.replay.headersAfter(this.attempts);
				this.attempts++;
			}
			else {
				headers = null;
			}
		}
		if (giveUp != null) {
			this.listener.onClose(giveUp, (this.lastTrailers != null) ? this.lastTrailers : new Metadata());
			return;
		}
		Context previous = this.context.attach();
		try {
			startAttempt(headers);
		}
		finally {
			this.context.detach(previous);
		}
	}

	/** Ends the call during a wait when the caller's gRPC context is cancelled or expires. */
	private void contextCancelled(Context cancelled) {
		endWait(Contexts.statusFromCancelled(cancelled), false);
	}

	@Override
	public void abandon(Status status) {
		endWait(status, true);
	}

	/**
	 * Ends the call if it waits with no attempt running; stops hedging if asked.
	 * @param status the status to end it with
	 * @param stop whether no attempt may follow in any case (the scheduler stopped)
	 */
	private void endWait(Status status, boolean stop) {
		Status last;
		synchronized (this.lock) {
			if (this.closed) {
				return;
			}
			boolean alone = this.waitingAlone;
			if (stop) {
				this.noMoreAttempts = true;
				cancelTimer();
			}
			if (!alone) {
				return;
			}
			commit(null);
			this.closed = true;
			last = this.lastFailure;
		}
		closeLater((last != null) ? status.augmentDescription("the call was waiting to retry after: " + last) : status);
	}

	/**
	 * Decides what follows the end of an uncommitted attempt, which has left the active ones.
	 * Holds the lock.
	 * @return {@code true} if the call goes on (a retry or other attempts), {@code false} if the
	 * caller is to be given this attempt's status
	 */
	private boolean goesOnAfter(Attempt attempt, Status status, Metadata trailers) {
		if (this.cancelled || this.context.isCancelled()) {
			return false;
		}
		this.lastFailure = status;
		this.lastTrailers = trailers;
		if (this.policy.hedged()) {
			return hedgingGoesOn(attempt, status, trailers);
		}
		if (this.noMoreAttempts) {
			return false;
		}
		long delay = this.outcome.retryDelay(status, trailers, attempt.headersReceived, this.attempts);
		return delay >= 0 && schedule(delay, true);
	}

	private boolean hedgingGoesOn(Attempt attempt, Status status, Metadata trailers) {
		Status.Code code = RetryOutcome.isTransportClosure(status, attempt.headersReceived) ? Status.Code.UNAVAILABLE
				: status.getCode();
		if (!this.policy.hedging().nonFatalStatusCodes().contains(code)) {
			return false;
		}
		Integer pushback = RetryOutcome.pushbackMillis(trailers);
		if (pushback != null && pushback < 0) {
			this.noMoreAttempts = true;
			cancelTimer();
		}
		if (!this.noMoreAttempts && this.attempts < this.policy.maxAttempts()
				&& schedule((pushback != null) ? pushback : 0, this.active.isEmpty())) {
			// A non-fatal failure brings the next hedge forward (or to the server's pushback).
			return true;
		}
		return !this.active.isEmpty();
	}

	/**
	 * One attempt: the call it made and the listener of that call. Its callbacks are serialized by
	 * gRPC and run on the call's executor.
	 */
	private final class Attempt extends ClientCall.Listener<R> {

		private final ClientCall<Q, R> call;

		private final Progress<Q> progress = new Progress<>();

		/** Up to date with the caller: the caller's steps now go straight to it. Guarded by lock. */
		private volatile boolean drained;

		/** Its close was handled. Guarded by lock. */
		private boolean closed;

		private boolean headersReceived;

		Attempt(ClientCall<Q, R> call) {
			this.call = call;
		}

		/** Takes the step recorded in its progress, outside the lock. */
		void apply(Progress<Q> step) {
			if (step.stepRequest > 0) {
				this.call.request(step.stepRequest);
			}
			if (step.stepCompression != null) {
				this.call.setMessageCompression(step.stepCompression);
			}
			if (step.stepMessage != null) {
				this.call.sendMessage(step.stepMessage);
			}
			if (step.stepHalfClose) {
				this.call.halfClose();
			}
		}

		/** @return whether the call is committed to this attempt, committing it if it is not yet */
		private boolean wins() {
			if (RetriableCall.this.winner == this) {
				return true;
			}
			List<Attempt> losers;
			synchronized (RetriableCall.this.lock) {
				if (RetriableCall.this.winner != null || this.closed) {
					return RetriableCall.this.winner == this;
				}
				losers = commit(this);
			}
			cancelAll(losers, "Another attempt answered first");
			return true;
		}

		@Override
		public void onHeaders(Metadata headers) {
			this.headersReceived = true;
			if (wins()) {
				RetriableCall.this.listener.onHeaders(headers);
			}
		}

		@Override
		public void onMessage(R message) {
			if (wins()) {
				RetriableCall.this.listener.onMessage(message);
			}
		}

		@Override
		public void onReady() {
			if (isReady()) {
				RetriableCall.this.listener.onReady();
			}
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			List<Attempt> losers = null;
			synchronized (RetriableCall.this.lock) {
				if (this.closed) {
					return;
				}
				this.closed = true;
				RetriableCall.this.active.remove(this);
				if (RetriableCall.this.closed || RetriableCall.this.winner != null && RetriableCall.this.winner != this) {
					return;
				}
				if (RetriableCall.this.winner == null) {
					if (goesOnAfter(this, status, trailers)) {
						return;
					}
					losers = commit(this);
				}
				RetriableCall.this.closed = true;
				// The winner may close before it caught up (the release then waited for that).
				RetriableCall.this.replay.release();
				RetriableCall.this.outcome.committedAttemptEnded(status);
			}
			cancelAll(losers, "Another attempt failed with a fatal status");
			RetriableCall.this.listener.onClose(status, trailers);
		}

	}

}
