package io.github.rpcclient.resilience;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * One attempt a {@link CircuitBreaker} let through. The attempt owns the permission acquired for
 * it and ends it exactly once, on whichever of these paths comes first:
 * <ul>
 * <li>the call closes: its status is recorded (a recorded code as an error, any other as a
 * success), except {@code CANCELLED}, which releases the permission;</li>
 * <li>{@code start} below the breaker throws: the permission is released and the exception
 * rethrown;</li>
 * <li>the call is cancelled before it started: the permission is released.</li>
 * </ul>
 * A unary call is recorded with its duration, so the breaker's slow-call rules apply to it; any
 * other call type is recorded with a duration of zero: a stream is judged by its status only.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
final class GuardedClientCall<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {

	private static final int NEW = 0;

	private static final int STARTED = 1;

	private static final int ENDED = 2;

	@SuppressWarnings("rawtypes")
	private static final AtomicIntegerFieldUpdater<GuardedClientCall> STATE = AtomicIntegerFieldUpdater
		.newUpdater(GuardedClientCall.class, "state");

	private final CircuitBreaker breaker;

	private final Set<Status.Code> recordedCodes;

	private final boolean timed;

	private volatile int state = NEW;

	private long startNanos;

	/**
	 * Creates the attempt.
	 * @param delegate the call below the breaker
	 * @param breaker the breaker whose permission the attempt holds
	 * @param recordedCodes the status codes recorded as errors
	 * @param timed whether the attempt's duration counts (unary calls)
	 */
	GuardedClientCall(ClientCall<Q, R> delegate, CircuitBreaker breaker, Set<Status.Code> recordedCodes,
			boolean timed) {
		super(delegate);
		this.breaker = breaker;
		this.recordedCodes = recordedCodes;
		this.timed = timed;
	}

	@Override
	public void start(Listener<R> responseListener, Metadata headers) {
		if (this.timed) {
			this.startNanos = System.nanoTime();
		}
		STATE.compareAndSet(this, NEW, STARTED);
		try {
			super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responseListener) {

				@Override
				public void onClose(Status status, Metadata trailers) {
					try {
						record(status);
					}
					finally {
						super.onClose(status, trailers);
					}
				}

			}, headers);
		}
		catch (RuntimeException | Error ex) {
			release();
			throw ex;
		}
	}

	@Override
	public void cancel(@Nullable String message, @Nullable Throwable cause) {
		// Once started, the call closes (CANCELLED), and that ends the permission.
		if (STATE.compareAndSet(this, NEW, ENDED)) {
			this.breaker.releasePermission();
		}
		super.cancel(message, cause);
	}

	private void release() {
		if (STATE.getAndSet(this, ENDED) != ENDED) {
			this.breaker.releasePermission();
		}
	}

	private void record(Status status) {
		if (STATE.getAndSet(this, ENDED) == ENDED) {
			return;
		}
		Status.Code code = status.getCode();
		if (code == Status.Code.CANCELLED) {
			this.breaker.releasePermission();
			return;
		}
		long duration = this.timed ? System.nanoTime() - this.startNanos : 0;
		if (this.recordedCodes.contains(code)) {
			this.breaker.onError(duration, TimeUnit.NANOSECONDS, new StatusFailure(status, false));
		}
		else {
			this.breaker.onSuccess(duration, TimeUnit.NANOSECONDS);
		}
	}

}
