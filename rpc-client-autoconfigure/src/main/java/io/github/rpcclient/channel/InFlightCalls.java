package io.github.rpcclient.channel;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Counts a service's calls from start to close (retries and their backoffs included), so that a
 * graceful shutdown waits for the calls themselves rather than for grpc-java's transports, which
 * may linger for seconds after the last call. A call whose start throws is counted out at once.
 * Counts calls started and failed too (for the actuator endpoint). Striped counters: no lock on
 * the call path.
 */
final class InFlightCalls implements ClientInterceptor, CallCounts {

	private final LongAdder count = new LongAdder();

	private final LongAdder started = new LongAdder();

	private final LongAdder failed = new LongAdder();

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		return new CountedCall<>(next.newCall(method, callOptions));
	}

	@Override
	public long inFlight() {
		return this.count.sum();
	}

	@Override
	public long started() {
		return this.started.sum();
	}

	@Override
	public long failed() {
		return this.failed.sum();
	}

	private final class CountedCall<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {

		@SuppressWarnings("rawtypes")
		private static final AtomicIntegerFieldUpdater<CountedCall> ENDED = AtomicIntegerFieldUpdater
			.newUpdater(CountedCall.class, "ended");

		private volatile int ended;

		CountedCall(ClientCall<Q, R> delegate) {
			super(delegate);
		}

		@Override
		public void start(Listener<R> listener, Metadata headers) {
			InFlightCalls.this.count.increment();
			InFlightCalls.this.started.increment();
			try {
				super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {

					@Override
					public void onClose(Status status, Metadata trailers) {
						if (!status.isOk()) {
							InFlightCalls.this.failed.increment();
						}
						end();
						super.onClose(status, trailers);
					}

				}, headers);
			}
			catch (RuntimeException | Error ex) {
				InFlightCalls.this.failed.increment();
				end();
				throw ex;
			}
		}

		private void end() {
			if (ENDED.compareAndSet(this, 0, 1)) {
				InFlightCalls.this.count.decrement();
			}
		}

	}

}
