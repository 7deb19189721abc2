package io.github.rpcclient.proxy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * One bidirectional {@code StreamCall} to one pod, shared by every user linked to it: calls are
 * multiplexed by request id, so callers never wait for each other.
 * <ul>
 * <li>Sends go through a lock-free queue drained by one thread at a time, and only while the
 * stream {@link ClientCall#isReady() is ready}; {@code onReady} resumes the drain.</li>
 * <li>At most {@code maxPending} calls are admitted (queued or awaiting their response); a call
 * beyond fails at once with RESOURCE_EXHAUSTED. A call's place is released only once it has both
 * finished and left the queue, so a stalled pod cannot make the queue grow.</li>
 * <li>Each call has its own deadline: a response that never comes fails only that caller.</li>
 * <li>When the stream ends, every pending call fails at once (UNAVAILABLE for a broken stream).</li>
 * </ul>
 * Whoever removes a call from the pending map completes it, exactly once.
 */
final class PodStream {

	/** Told when a stream has ended. */
	interface Owner {

		void streamEnded(PodStream stream, Status status, boolean answered);

	}

	private final int pod;

	private final String service;

	private final ClientCall<CallRequest, CallResponse> call;

	private final ScheduledExecutorService timer;

	private final int maxPending;

	private final Owner owner;

	private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

	private final AtomicInteger admitted = new AtomicInteger();

	private final ConcurrentLinkedQueue<Pending> outbound = new ConcurrentLinkedQueue<>();

	private final AtomicInteger wip = new AtomicInteger();

	private volatile RpcProxyException endedWith;

	private volatile boolean retiring;

	private volatile String cancelReason;

	private volatile boolean answered;

	/** Written and read by the draining thread only. */
	private boolean cancelled;

	PodStream(int pod, String service, ClientCall<CallRequest, CallResponse> call, ScheduledExecutorService timer,
			int maxPending, Owner owner) {
		this.pod = pod;
		this.service = service;
		this.call = call;
		this.timer = timer;
		this.maxPending = maxPending;
		this.owner = owner;
	}

	void start() {
		this.call.start(new Listener(), new Metadata());
		this.call.request(1);
	}

	int pod() {
		return this.pod;
	}

	/** @return whether new calls may be sent on this stream */
	boolean isUsable() {
		return this.endedWith == null && !this.retiring;
	}

	/** @return the calls admitted and not yet released */
	int admitted() {
		return this.admitted.get();
	}

	/**
	 * Sends a call.
	 * @param request the request
	 * @param timeoutNanos the call's deadline from now, or 0 for none
	 * @return the response to come, or {@code null} if the stream ended before the call was admitted
	 */
	CompletableFuture<CallResponse> send(CallRequest request, long timeoutNanos) {
		if (!isUsable()) {
			return null;
		}
		if (this.admitted.incrementAndGet() > this.maxPending) {
			this.admitted.decrementAndGet();
			return CompletableFuture.failedFuture(RpcProxyException.callFailed(
					Status.RESOURCE_EXHAUSTED.withDescription(this.maxPending + " calls are pending on the stream (proxy.max-pending-calls); the pod is not keeping up"),
					describe(request)));
		}
		Pending call = new Pending(request);
		this.pending.put(request.getRequestId(), call);
		if (timeoutNanos > 0) {
			call.timeout = this.timer.schedule(() -> expire(call, timeoutNanos), timeoutNanos, TimeUnit.NANOSECONDS);
		}
		call.future.whenComplete((response, failure) -> {
			if (call.future.isCancelled()) {
				finish(call, null, null);
			}
		});
		this.outbound.add(call);
		RpcProxyException ended = this.endedWith;
		if (ended != null) {
			finish(call, null, ended);
		}
		drain();
		return call.future;
	}

	/**
	 * Stops taking calls and ends the stream once its pending calls have finished.
	 */
	void retire() {
		this.retiring = true;
		if (this.pending.isEmpty()) {
			cancel("pod " + this.pod + " of '" + this.service + "' left; its stream is closed");
		}
	}

	/**
	 * Ends the stream now, failing its pending calls with the given error.
	 * @param reason the error of the pending calls
	 */
	void close(RpcProxyException reason) {
		end(reason);
		cancel(reason.getMessage());
	}

	private void cancel(String reason) {
		this.cancelReason = reason;
		drain();
	}

	private void expire(Pending call, long timeoutNanos) {
		finish(call, null, RpcProxyException.callFailed(Status.DEADLINE_EXCEEDED.withDescription("no response within "
				+ TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms (the other calls on the stream go on)"),
				describe(call.request)));
	}

	private void finish(Pending call, CallResponse response, RpcProxyException failure) {
		if (!this.pending.remove(call.request.getRequestId(), call)) {
			return;
		}
		if (call.timeout != null) {
			call.timeout.cancel(false);
		}
		call.release(Pending.FINISHED);
		if (failure != null) {
			call.future.completeExceptionally(failure);
		}
		else if (response != null) {
			call.future.complete(response);
		}
		if (this.retiring && this.pending.isEmpty()) {
			cancel("pod " + this.pod + " of '" + this.service + "' left; its stream is closed");
		}
	}

	private void end(RpcProxyException reason) {
		if (this.endedWith == null) {
			this.endedWith = reason;
		}
		for (Pending call : this.pending.values()) {
			finish(call, null, reason);
		}
	}

	/** Sends what is queued while the stream is ready; one thread at a time. */
	private void drain() {
		if (this.wip.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			if (this.cancelReason != null && !this.cancelled) {
				this.cancelled = true;
				this.call.cancel(this.cancelReason, null);
			}
			Pending next;
			if (this.cancelled || this.endedWith != null) {
				while ((next = this.outbound.poll()) != null) {
					next.release(Pending.DEQUEUED);
				}
			}
			else {
				while (this.call.isReady() && (next = this.outbound.poll()) != null) {
					next.release(Pending.DEQUEUED);
					if (this.pending.get(next.request.getRequestId()) == next) {
						sendMessage(next);
					}
				}
			}
			missed = this.wip.addAndGet(-missed);
		}
		while (missed != 0);
	}

	private void sendMessage(Pending next) {
		try {
			this.call.sendMessage(next.request);
		}
		catch (RuntimeException ex) {
			finish(next, null, RpcProxyException.callFailed(Status.INTERNAL.withDescription("cannot send: " + ex).withCause(ex),
					describe(next.request)));
		}
	}

	private String describe(CallRequest request) {
		return "Call '" + request.getMsgId() + "' (request " + request.getRequestId() + ") on the stream to pod "
				+ this.pod + " of '" + this.service + "'";
	}

	private static Status brokenStatus(Status status) {
		return switch (status.getCode()) {
			case UNIMPLEMENTED, UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE -> status;
			default -> Status.UNAVAILABLE.withDescription("the stream ended with " + status.getCode()
					+ ((status.getDescription() != null) ? ": " + status.getDescription() : "")).withCause(status.getCause());
		};
	}

	private final class Listener extends ClientCall.Listener<CallResponse> {

		@Override
		public void onMessage(CallResponse response) {
			PodStream.this.answered = true;
			Pending call = PodStream.this.pending.get(response.getRequestId());
			if (call != null) {
				finish(call, response, null);
			}
			PodStream.this.call.request(1);
		}

		@Override
		public void onReady() {
			drain();
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			Status broken = brokenStatus(status);
			end(RpcProxyException.callFailed(broken, "Call on the stream to pod " + PodStream.this.pod + " of '"
					+ PodStream.this.service + "'"));
			drain();
			PodStream.this.owner.streamEnded(PodStream.this, status, PodStream.this.answered);
		}

	}

	/** A call admitted on the stream. */
	private final class Pending {

		static final int DEQUEUED = 1;

		static final int FINISHED = 2;

		final CallRequest request;

		final CompletableFuture<CallResponse> future = new CompletableFuture<>();

		final AtomicInteger state = new AtomicInteger();

		volatile ScheduledFuture<?> timeout;

		Pending(CallRequest request) {
			this.request = request;
		}

		/** Marks a step done; the call's place is released once it has left the queue and finished. */
		void release(int step) {
			int before = this.state.getAndUpdate((s) -> s | step);
			if ((before & step) == 0 && (before | step) == (DEQUEUED | FINISHED)) {
				PodStream.this.admitted.decrementAndGet();
			}
		}

	}

}
