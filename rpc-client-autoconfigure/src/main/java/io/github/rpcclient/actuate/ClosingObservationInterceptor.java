package io.github.rpcclient.actuate;

import java.util.concurrent.atomic.AtomicBoolean;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.lang.Nullable;

/**
 * Runs Micrometer's full observation of calls (its {@code ObservationGrpcClientInterceptor}) so
 * that an observation handler that throws leaves no call open. Micrometer's listener stops the
 * observation before it passes the status on and does not catch what a handler throws there, so
 * the caller would never get its status. Here the status then goes to the caller directly, once,
 * and the exception is logged.
 */
public class ClosingObservationInterceptor implements ClientInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(ClosingObservationInterceptor.class);

	private final ClientInterceptor observation;

	/**
	 * Wraps the observation of one service's calls.
	 * @param observation Micrometer's interceptor
	 */
	public ClosingObservationInterceptor(ClientInterceptor observation) {
		this.observation = observation;
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
			Channel next) {
		Guard guard = new Guard(next, method.getFullMethodName());
		return new SimpleForwardingClientCall<>(this.observation.interceptCall(method, callOptions, guard)) {

			@Override
			public void start(Listener<R> responseListener, Metadata headers) {
				ClosingOnce<R> caller = new ClosingOnce<>(responseListener);
				guard.caller = caller;
				super.start(caller, headers);
			}

		};
	}

	/** The channel under the observation of one call: closes the caller if the observation throws. */
	private static final class Guard extends Channel {

		private final Channel next;

		private final String method;

		@Nullable
		private volatile ClosingOnce<?> caller;

		Guard(Channel next, String method) {
			this.next = next;
			this.method = method;
		}

		@Override
		public <A, B> ClientCall<A, B> newCall(MethodDescriptor<A, B> method, CallOptions callOptions) {
			return new SimpleForwardingClientCall<>(this.next.newCall(method, callOptions)) {

				@Override
				public void start(Listener<B> observing, Metadata headers) {
					super.start(new SimpleForwardingClientCallListener<>(observing) {

						@Override
						public void onClose(Status status, Metadata trailers) {
							try {
								super.onClose(status, trailers);
							}
							catch (RuntimeException ex) {
								logger.warn("The observation of a call of {} failed as the call closed; "
										+ "the caller gets status {}", Guard.this.method, status.getCode(), ex);
								ClosingOnce<?> caller = Guard.this.caller;
								if (caller != null) {
									caller.onClose(status, trailers);
								}
							}
						}

					}, headers);
				}

			};
		}

		@Override
		public String authority() {
			return this.next.authority();
		}

	}

	/** The caller's listener, closed at most once. */
	private static final class ClosingOnce<R> extends SimpleForwardingClientCallListener<R> {

		private final AtomicBoolean closed = new AtomicBoolean();

		ClosingOnce(ClientCall.Listener<R> delegate) {
			super(delegate);
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			if (this.closed.compareAndSet(false, true)) {
				super.onClose(status, trailers);
			}
		}

	}

}
