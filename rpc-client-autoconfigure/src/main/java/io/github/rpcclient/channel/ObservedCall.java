package io.github.rpcclient.channel;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call as its {@link CallObserver observers} see it: they are told of its start in order and
 * of its close in reverse order, exactly once, whether the call closes or its start throws (then
 * only the observers whose own start returned are told, with the exception's status). An observer
 * that throws on close is logged and skipped: the others are still told and the caller still gets
 * the status. What
 * the observers need of the call (its method, when it started, whether the server answered) is
 * kept here, so that the observers keep nothing per call.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
public final class ObservedCall<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {

	@SuppressWarnings("rawtypes")
	private static final AtomicIntegerFieldUpdater<ObservedCall> CLOSED = AtomicIntegerFieldUpdater
		.newUpdater(ObservedCall.class, "closed");

	private static final Logger logger = LoggerFactory.getLogger(ObservedCall.class);

	private final MethodDescriptor<Q, R> method;

	private final CallObserver[] observers;

	private long startNanos;

	private boolean answered;

	private volatile int closed;

	ObservedCall(ClientCall<Q, R> delegate, MethodDescriptor<Q, R> method, CallObserver[] observers) {
		super(delegate);
		this.method = method;
		this.observers = observers;
	}

	/**
	 * @return the call's method
	 */
	public MethodDescriptor<Q, R> method() {
		return this.method;
	}

	/**
	 * @return {@link System#nanoTime()} when the call started
	 */
	public long startNanos() {
		return this.startNanos;
	}

	/**
	 * @return whether the server answered with response headers (only meaningful on close)
	 */
	public boolean answered() {
		return this.answered;
	}

	@Override
	public void start(Listener<R> listener, Metadata headers) {
		this.startNanos = System.nanoTime();
		int started = 0;
		try {
			while (started < this.observers.length) {
				this.observers[started].onStart(this, headers);
				started++;
			}
			super.start(new ObservingListener(listener), headers);
		}
		catch (RuntimeException | Error ex) {
			close(started, Status.fromThrowable(ex));
			throw ex;
		}
	}

	private Status close(int started, Status status) {
		if (!CLOSED.compareAndSet(this, 0, 1)) {
			return status;
		}
		Status outcome = status;
		for (int i = started - 1; i >= 0; i--) {
			try {
				outcome = this.observers[i].onClose(this, outcome);
			}
			catch (RuntimeException ex) {
				// the others still close (the in-flight count among them) and the caller gets its status
				logger.warn("Call observer {} failed closing a call of {}", this.observers[i].getClass().getName(),
						this.method.getFullMethodName(), ex);
			}
		}
		return outcome;
	}

	private final class ObservingListener extends ForwardingClientCallListener.SimpleForwardingClientCallListener<R> {

		ObservingListener(Listener<R> delegate) {
			super(delegate);
		}

		@Override
		public void onHeaders(Metadata headers) {
			ObservedCall.this.answered = true;
			super.onHeaders(headers);
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			super.onClose(close(ObservedCall.this.observers.length, status), trailers);
		}

	}

}
