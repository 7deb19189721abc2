package io.github.rpcclient.resilience;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

import io.github.rpcclient.channel.CallExecutors;
import io.github.rpcclient.channel.FailingClientCall;
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
 * Every call ends with exactly one status: the listener is closed by the attempt the call commits
 * to, or, when it commits to none ({@link #NONE}: cancelled, given up, failed to start), by the
 * path that made that commitment; the commitment is one compare-and-set.
 * <p>
 * <b>No lock on the way of a call whose attempt succeeds.</b> The caller's steps go into the
 * lock-free {@link AttemptReplay} and each running attempt is brought up to date by whichever
 * thread finds it idle ({@link Attempt#requestForward()}: a work counter, so one thread at a time
 * talks to an attempt's call, in order, its cancellation included); the attempts running are an
 * immutable snapshot replaced by compare-and-set; committing is a compare-and-set. The call's
 * monitor ({@link #monitor()}) guards only what follows a failed attempt, a wait, hedging and the
 * caller's cancellation; attempts are created, started and told what to do outside it, and neither
 * the caller's listener nor the consumers of Resilience4j's retry events are called under it. {@link ClientCall#getAttributes()} stays that of the
 * committed attempt after the call closed.
 */
final class RetriableCall<Q, R> extends ClientCall<Q, R> implements RetryScheduler.Waiter {

	/** What {@link #winner} holds when the call commits to no attempt: it ends by itself. */
	private static final Object NONE = new Object();

	private static final VarHandle WINNER;

	private static final VarHandle RUNNING;

	private static final VarHandle WORK;

	private static final VarHandle CLOSED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			WINNER = lookup.findVarHandle(RetriableCall.class, "winner", Object.class);
			RUNNING = lookup.findVarHandle(RetriableCall.class, "running", Object.class);
			WORK = lookup.findVarHandle(RetriableCall.Attempt.class, "work", int.class);
			CLOSED = lookup.findVarHandle(RetriableCall.Attempt.class, "closed", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final MethodDescriptor<Q, R> method;

	private final CallOptions callOptions;

	private final Channel next;

	private final CallPolicy policy;

	private final RetryScheduler scheduler;

	private final Executor callExecutor;

	private final Context context;

	private final AttemptReplay<Q> replay;

	/** Decides what follows a failed attempt; also the call's monitor (no object of its own). */
	private final RetryOutcome outcome;

	// Lock-free.

	@Nullable
	private volatile Listener<R> listener;

	private volatile boolean cancelled;

	/** {@code null} until the call commits; then the {@link Attempt} it committed to, or {@link #NONE}. */
	@Nullable
	private volatile Object winner;

	/** The attempts started and not known to have ended: {@code null}, one {@link Attempt}, or an array. */
	@Nullable
	private volatile Object running;

	@Nullable
	private volatile Attempt latest;

	// Guarded by the monitor.

	/** Made on the first wait alone: most calls never wait. */
	@Nullable
	private Context.CancellationListener onContextCancelled;

	private int attempts;

	/** Written under the monitor; read outside it before a retry is decided. */
	private volatile boolean noMoreAttempts;

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

	/** @return the monitor of the paths after a failed attempt, waits, hedging and cancellation */
	Object monitor() {
		return this.outcome;
	}

	@Override
	public void start(Listener<R> responseListener, Metadata headers) {
		this.listener = responseListener;
		if (this.cancelled) {
			if (commitToNone()) {
				closeLater(Status.CANCELLED.withDescription("Call cancelled before it started"));
			}
			return;
		}
		this.replay.recordHeaders(headers);
		this.attempts = 1;
		if (this.policy.hedged() && this.policy.maxAttempts() > 1) {
			synchronized (this.outcome) {
				schedule(this.policy.hedging().delay().toMillis(), false);
			}
		}
		startAttempt(headers);
	}

	/**
	 * Creates, starts and brings up to date one attempt, outside the monitor; its place among the
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
		// Its work counter starts at 1: nobody else talks to its call until it has started.
		Attempt attempt = new Attempt(call);
		addRunning(attempt);
		if (this.winner != null || this.cancelled) {
			attempt.closed = true;
			removeRunning(attempt);
			call.cancel("Attempt no longer needed", null);
			// A cancellation that saw this attempt left the ending to it.
			if (this.cancelled && this.running == null && commitToNone()) {
				closeLater(Status.CANCELLED.withDescription("Call cancelled"));
			}
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
		this.latest = attempt;
		attempt.forward();
	}

	/**
	 * An attempt could not be created or started (an interceptor or the transport threw): the call
	 * ends with {@code INTERNAL}, unless other hedged attempts still run.
	 */
	private void failedToStart(@Nullable Attempt attempt, RuntimeException failure) {
		Status status = Status.INTERNAL.withDescription("A call attempt failed to start").withCause(failure);
		synchronized (this.outcome) {
			if (attempt != null) {
				if (!attempt.markClosed()) {
					return;
				}
				removeRunning(attempt);
			}
			Object decided = this.winner;
			if ((decided != null && decided != attempt) || (decided == null && this.running != null)) {
				return;
			}
			if (this.cancelled) {
				status = Status.CANCELLED.withDescription("Call cancelled").withCause(failure);
			}
			if (decided == null) {
				if (!commitToNone()) {
					return;
				}
				cancelTimer();
			}
		}
		closeLater(status);
	}

	@Override
	public void request(int numMessages) {
		this.replay.request(numMessages);
		forwardAll();
	}

	@Override
	public void sendMessage(Q message) {
		boolean fits = this.replay.sendMessage(message);
		forwardAll();
		if (!fits) {
			outgrown();
		}
	}

	@Override
	public void halfClose() {
		this.replay.halfClose();
		forwardAll();
	}

	@Override
	public void setMessageCompression(boolean enabled) {
		this.replay.setMessageCompression(enabled);
		forwardAll();
	}

	/** Each running attempt catches up with the step the caller just took. */
	@SuppressWarnings("unchecked")
	private void forwardAll() {
		Object all = this.running;
		if (all instanceof Object[] many) {
			for (Object attempt : many) {
				((Attempt) attempt).requestForward();
			}
		}
		else if (all != null) {
			((Attempt) all).requestForward();
		}
	}

	/**
	 * The request outgrew the replay limits: no attempt after the running one (or the one a pending
	 * retry starts), and the call commits to its first running attempt.
	 */
	private void outgrown() {
		Attempt committed = null;
		synchronized (this.outcome) {
			if (this.noMoreAttempts) {
				return;
			}
			this.noMoreAttempts = true;
			if (this.policy.hedged()) {
				cancelTimer();
			}
			Object all = this.running;
			Object first = (all instanceof Object[] many) ? many[0] : all;
			if (first != null && WINNER.compareAndSet(this, null, first)) {
				committed = attempt(first);
			}
		}
		if (committed != null) {
			committedTo(committed, "The request outgrew the retry buffer: the call committed to another attempt");
		}
	}

	@Override
	public boolean isReady() {
		Object decided = this.winner;
		if (decided != null && decided != NONE) {
			return attempt(decided).call.isReady();
		}
		Attempt current = this.latest;
		return !this.policy.hedged() && current != null && current.call.isReady();
	}

	@Override
	public Attributes getAttributes() {
		Object decided = this.winner;
		Attempt attempt = (decided != null && decided != NONE) ? attempt(decided) : this.latest;
		return (attempt != null) ? attempt.call.getAttributes() : Attributes.EMPTY;
	}

	@Override
	public void cancel(@Nullable String message, @Nullable Throwable cause) {
		Object targets;
		boolean closeHere = false;
		synchronized (this.outcome) {
			if (this.cancelled) {
				return;
			}
			this.cancelled = true;
			cancelTimer();
			targets = this.running;
			if (targets == null && this.listener != null && commitToNone()) {
				closeHere = true;
			}
		}
		if (targets instanceof Object[] many) {
			for (Object attempt : many) {
				attempt(attempt).cancel(message, cause);
			}
		}
		else if (targets != null) {
			attempt(targets).cancel(message, cause);
		}
		if (closeHere) {
			Status status = Status.CANCELLED.withDescription((message != null) ? message : "Call cancelled");
			closeLater((cause != null) ? status.withCause(cause) : status);
		}
	}

	/**
	 * Closes the caller's listener with a status of the call's own, on the call's executor; only
	 * after the call committed to no attempt.
	 */
	private void closeLater(Status status) {
		FailingClientCall.closeOn(this.callExecutor, this.listener, status);
	}

	/**
	 * Commits the call to no attempt: the path that does so ends the call. Every commitment goes
	 * through this or {@link #committedTo}, which both give the replay's bytes back.
	 * @return whether this commitment was made here (not by an attempt or another path before)
	 */
	private boolean commitToNone() {
		if (!WINNER.compareAndSet(this, null, NONE)) {
			return false;
		}
		this.replay.release();
		return true;
	}

	/**
	 * What follows the commitment to an attempt, outside the monitor: the replay limits no longer
	 * count, a pending hedge is cancelled, the other attempts are cancelled, and the attempt forgets
	 * the messages it has sent.
	 */
	private void committedTo(Attempt attempt, String why) {
		this.replay.release();
		if (this.policy.hedged()) {
			synchronized (this.outcome) {
				cancelTimer();
			}
		}
		Object all = this.running;
		if (all instanceof Object[] many) {
			for (Object other : many) {
				if (other != attempt) {
					attempt(other).cancel(why, null);
				}
			}
		}
		attempt.requestForward();
	}

	@SuppressWarnings("unchecked")
	private Attempt attempt(Object attempt) {
		return (Attempt) attempt;
	}

	private void addRunning(Attempt attempt) {
		Object before;
		Object after;
		do {
			before = this.running;
			if (before == null) {
				after = attempt;
			}
			else {
				Object[] many = (before instanceof Object[] array) ? array : new Object[] { before };
				Object[] more = Arrays.copyOf(many, many.length + 1);
				more[many.length] = attempt;
				after = more;
			}
		}
		while (!RUNNING.compareAndSet(this, before, after));
	}

	private void removeRunning(Attempt attempt) {
		Object before;
		Object after;
		do {
			before = this.running;
			if (before == attempt) {
				after = null;
			}
			else if (before instanceof Object[] many) {
				int index = Arrays.asList(many).indexOf(attempt);
				if (index < 0) {
					return;
				}
				if (many.length == 2) {
					after = many[1 - index];
				}
				else {
					Object[] fewer = new Object[many.length - 1];
					System.arraycopy(many, 0, fewer, 0, index);
					System.arraycopy(many, index + 1, fewer, index, many.length - index - 1);
					after = fewer;
				}
			}
			else {
				return;
			}
		}
		while (!RUNNING.compareAndSet(this, before, after));
	}

	/** Cancels the pending wait, if any. Holds the monitor. */
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
	 * monitor.
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
		synchronized (this.outcome) {
			if (this.timer == null || generation != this.timerGeneration) {
				return;
			}
			cancelTimer();
			if (this.winner != null || this.cancelled) {
				return;
			}
			if (this.policy.hedged()) {
				if (this.noMoreAttempts || this.attempts >= this.policy.maxAttempts() || !this.outcome.hedgeAllowed()) {
					this.noMoreAttempts = true;
					if (this.running != null || !commitToNone()) {
						return;
					}
					// Every attempt failed with a non-fatal status, and no other may follow.
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
		synchronized (this.outcome) {
			if (this.winner != null) {
				return;
			}
			boolean alone = this.waitingAlone;
			if (stop) {
				this.noMoreAttempts = true;
				cancelTimer();
			}
			if (!alone || !commitToNone()) {
				return;
			}
			cancelTimer();
			last = this.lastFailure;
		}
		closeLater((last != null) ? status.augmentDescription("the call was waiting to retry after: " + last) : status);
	}

	/**
	 * Decides what follows the end of an uncommitted attempt, which has left the running ones.
	 * Holds the monitor.
	 * @param retryDelay for a retried call, the wait before its retry decided outside the monitor
	 * (negative for none)
	 * @return {@code true} if the call goes on (a retry or other attempts), {@code false} if the
	 * caller is to be given this attempt's status
	 */
	private boolean goesOnAfter(Attempt attempt, Status status, Metadata trailers, long retryDelay) {
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
		return retryDelay >= 0 && schedule(retryDelay, true);
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
				&& schedule((pushback != null) ? pushback : 0, this.running == null)) {
			// A non-fatal failure brings the next hedge forward (or to the server's pushback).
			return true;
		}
		return this.running != null;
	}

	/**
	 * One attempt: the call it made and the listener of that call. Its callbacks are serialized by
	 * gRPC and run on the call's executor. What is done to its call (the caller's steps, replayed,
	 * and its cancellation) is done by one thread at a time, in order: whoever raises its work
	 * counter from zero does the work until the counter falls back to zero.
	 */
	private final class Attempt extends ClientCall.Listener<R> {

		private final ClientCall<Q, R> call;

		/** Work asked for and not yet done; starts at 1, held by the thread that starts the call. */
		private volatile int work = 1;

		/** Its close was handled (or it never started); set once. */
		private volatile boolean closed;

		private volatile boolean cancelRequested;

		@Nullable
		private volatile String cancelMessage;

		@Nullable
		private volatile Throwable cancelCause;

		// Only the thread doing the work reads and writes these.

		private int sentRequested;

		private int sentMessages;

		private boolean sentHalfClose;

		@Nullable
		private Boolean sentCompression;

		private boolean cancelSent;

		/** Only its callbacks read and write it. */
		private boolean headersReceived;

		Attempt(ClientCall<Q, R> call) {
			this.call = call;
		}

		/** Asks for the attempt to catch up with the caller, doing the work if nobody else is. */
		void requestForward() {
			if ((int) WORK.getAndAdd(this, 1) == 0) {
				forward();
			}
		}

		/** Does the work asked for until none is left; the caller of this holds one unit of work. */
		void forward() {
			int missed = 1;
			do {
				forwardOnce();
				missed = (int) WORK.getAndAdd(this, -missed) - missed;
			}
			while (missed != 0);
		}

		/** Asks for the attempt's call to be cancelled, after what it has been told so far. */
		void cancel(@Nullable String message, @Nullable Throwable cause) {
			if (this.cancelRequested) {
				return;
			}
			this.cancelMessage = message;
			this.cancelCause = cause;
			this.cancelRequested = true;
			requestForward();
		}

		boolean markClosed() {
			return CLOSED.compareAndSet(this, false, true);
		}

		private void forwardOnce() {
			if (this.cancelRequested) {
				if (!this.cancelSent) {
					this.cancelSent = true;
					this.call.cancel(this.cancelMessage, this.cancelCause);
				}
				return;
			}
			Object decided = RetriableCall.this.winner;
			if (this.closed || (decided != null && decided != this)) {
				return;
			}
			AttemptReplay<Q> steps = RetriableCall.this.replay;
			int requested = steps.requested();
			if (requested > this.sentRequested) {
				this.call.request(requested - this.sentRequested);
				this.sentRequested = requested;
			}
			Boolean compression = steps.messageCompression();
			if (compression != null && !compression.equals(this.sentCompression)) {
				this.call.setMessageCompression(compression);
				this.sentCompression = compression;
			}
			boolean halfClosed = steps.halfClosed();
			int messages = steps.messageCount();
			while (this.sentMessages < messages) {
				Q message = steps.message(this.sentMessages);
				if (message == null) {
					// Forgotten: the call committed to another attempt.
					return;
				}
				this.call.sendMessage(message);
				this.sentMessages++;
			}
			if (halfClosed && !this.sentHalfClose) {
				this.sentHalfClose = true;
				this.call.halfClose();
			}
			if (decided == this) {
				steps.forget(this.sentMessages);
			}
		}

		/** @return whether the call is committed to this attempt, committing it if it is not yet */
		private boolean wins() {
			Object decided = RetriableCall.this.winner;
			if (decided == this) {
				return true;
			}
			if (decided != null || !WINNER.compareAndSet(RetriableCall.this, null, this)) {
				return RetriableCall.this.winner == this;
			}
			committedTo(this, "Another attempt answered first");
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
			if (RetriableCall.this.winner == this) {
				if (markClosed()) {
					closeCall(status, trailers);
				}
				return;
			}
			long retryDelay = retryDelay(status, trailers);
			synchronized (RetriableCall.this.outcome) {
				if (!markClosed()) {
					return;
				}
				removeRunning(this);
				Object decided = RetriableCall.this.winner;
				if (decided == null) {
					if (goesOnAfter(this, status, trailers, retryDelay)
							|| !WINNER.compareAndSet(RetriableCall.this, null, this)) {
						return;
					}
				}
				else if (decided != this) {
					return;
				}
			}
			committedTo(this, "Another attempt failed with a fatal status");
			closeCall(status, trailers);
		}

		/**
		 * Decides whether a retried call retries after this attempt, outside the monitor: the
		 * Resilience4j retry publishes its events to the application's consumers as it decides. A
		 * retried call runs one attempt at a time, so nothing else decides meanwhile; what the
		 * decision meets under the monitor (a cancellation) can still stop the retry.
		 * @return the wait before the retry, or a negative number for none (or for a hedged call)
		 */
		private long retryDelay(Status status, Metadata trailers) {
			if (RetriableCall.this.policy.hedged() || this.closed || RetriableCall.this.winner != null
					|| RetriableCall.this.cancelled || RetriableCall.this.noMoreAttempts
					|| RetriableCall.this.context.isCancelled()) {
				return -1;
			}
			return RetriableCall.this.outcome.retryDelay(status, trailers, this.headersReceived,
					RetriableCall.this.attempts);
		}

		/** The attempt the call committed to ended: so does the call. */
		private void closeCall(Status status, Metadata trailers) {
			RetriableCall.this.outcome.committedAttemptEnded(status);
			RetriableCall.this.listener.onClose(status, trailers);
		}

	}

}
