package io.github.rpcclient.resilience;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.rpcclient.channel.FailingClientCall;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * Caps the calls of one service in flight with its Resilience4j semaphore {@link Bulkhead}. A
 * call takes a place when it starts and gives it back when it closes, with whatever status, so a
 * streaming call holds its place until it ends, and a retried call holds one place through all its
 * attempts and backoffs. A call that finds no free place fails at once with
 * {@code RESOURCE_EXHAUSTED} naming the service and the limit, caused by a
 * {@link BulkheadFullException}; nothing is sent and the caller's thread never waits.
 * <p>
 * Every place taken is given back exactly once ({@link Bulkhead#onComplete()}): when the call
 * closes, or when starting it throws. A call cancelled before it starts takes no place.
 */
public class BulkheadClientInterceptor implements ClientInterceptor {

	private final Bulkhead bulkhead;

	private final Status refusal;

	/**
	 * Creates the interceptor of a service and its bulkhead.
	 * @param service the service
	 * @param instances creates the Resilience4j instances
	 */
	public BulkheadClientInterceptor(ServiceSettings service, BulkheadInstances instances) {
		this.bulkhead = instances.create(service.name(), service.bulkhead());
		int limit = this.bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
		this.refusal = Status.RESOURCE_EXHAUSTED
			.withDescription("gRPC service '" + service.name() + "' has " + limit + " calls in flight, its limit ("
					+ instances.limitProperty(service.name(), service.bulkhead()) + "): the call was not sent")
			.withCause(BulkheadFullException.createBulkheadFullException(this.bulkhead));
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		return new BulkheadCall<>(method, callOptions, next);
	}

	/**
	 * A call that asks the bulkhead for a place when it starts, and only then creates the call it
	 * forwards to: a refused call creates nothing below.
	 */
	private final class BulkheadCall<Q, R> extends ForwardingClientCall<Q, R> {

		@SuppressWarnings("rawtypes")
		private static final AtomicIntegerFieldUpdater<BulkheadCall> RELEASED = AtomicIntegerFieldUpdater
			.newUpdater(BulkheadCall.class, "released");

		private final MethodDescriptor<Q, R> method;

		private final CallOptions callOptions;

		private final Channel next;

		@Nullable
		private volatile ClientCall<Q, R> delegate;

		private boolean cancelledBeforeStart;

		private volatile int released;

		BulkheadCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
			this.method = method;
			this.callOptions = callOptions;
			this.next = next;
		}

		@Override
		public void start(Listener<R> responseListener, Metadata headers) {
			if (this.cancelledBeforeStart) {
				refuse(Status.CANCELLED.withDescription("Call cancelled before it started"), responseListener, headers);
				return;
			}
			if (!BulkheadClientInterceptor.this.bulkhead.tryAcquirePermission()) {
				refuse(BulkheadClientInterceptor.this.refusal, responseListener, headers);
				return;
			}
			try {
				ClientCall<Q, R> call = this.next.newCall(this.method, this.callOptions);
				this.delegate = call;
				call.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responseListener) {

					@Override
					public void onClose(Status status, Metadata trailers) {
						// give the place back first, so that a caller woken by the close finds it free
						release();
						super.onClose(status, trailers);
					}

				}, headers);
			}
			catch (RuntimeException | Error ex) {
				release();
				throw ex;
			}
		}

		private void refuse(Status status, Listener<R> responseListener, Metadata headers) {
			ClientCall<Q, R> failing = new FailingClientCall<>(status, this.callOptions.getExecutor());
			this.delegate = failing;
			failing.start(responseListener, headers);
		}

		private void release() {
			if (RELEASED.compareAndSet(this, 0, 1)) {
				BulkheadClientInterceptor.this.bulkhead.onComplete();
			}
		}

		@Override
		public void cancel(@Nullable String message, @Nullable Throwable cause) {
			ClientCall<Q, R> call = this.delegate;
			if (call == null) {
				// not started: no place taken, nothing created below
				this.cancelledBeforeStart = true;
				return;
			}
			call.cancel(message, cause);
		}

		@Override
		protected ClientCall<Q, R> delegate() {
			ClientCall<Q, R> call = this.delegate;
			if (call == null) {
				throw new IllegalStateException("Not started");
			}
			return call;
		}

		@Override
		public String toString() {
			return "BulkheadCall[" + BulkheadClientInterceptor.this.bulkhead.getName() + ", " + this.delegate + "]";
		}

	}

}
