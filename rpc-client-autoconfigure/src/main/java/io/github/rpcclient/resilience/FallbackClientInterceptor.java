package io.github.rpcclient.resilience;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link GrpcFallback}s of one service to the final failures of its unary calls. It
 * sits outside retry and the circuit breaker.
 */
public class FallbackClientInterceptor implements ClientInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(FallbackClientInterceptor.class);

	private final Map<String, GrpcFallback<?, ?>> fallbacks = new HashMap<>();

	/**
	 * Creates the interceptor.
	 * @param fallbacks the service's fallbacks
	 */
	public FallbackClientInterceptor(List<GrpcFallback<?, ?>> fallbacks) {
		fallbacks.forEach((fallback) -> this.fallbacks.put(fallback.method(), fallback));
	}

	@Override
	@SuppressWarnings("unchecked")
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		GrpcFallback<?, ?> fallback = this.fallbacks.get(method.getFullMethodName());
		if (fallback == null || method.getType() != MethodDescriptor.MethodType.UNARY) {
			return next.newCall(method, callOptions);
		}
		return new FallbackCall<>(next.newCall(method, callOptions), (GrpcFallback<Q, R>) fallback);
	}

	/**
	 * A unary call with a fallback. A call can fail before the caller has sent its request (an
	 * open breaker fails it on start); the fallback then runs when the request is sent.
	 */
	private static final class FallbackCall<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {

		private final GrpcFallback<Q, R> fallback;

		private Listener<R> listener;

		// Guarded by this.

		private Q request;

		private boolean requestSent;

		private Status pendingStatus;

		private Metadata pendingTrailers;

		FallbackCall(ClientCall<Q, R> delegate, GrpcFallback<Q, R> fallback) {
			super(delegate);
			this.fallback = fallback;
		}

		@Override
		public void start(Listener<R> responseListener, Metadata headers) {
			this.listener = responseListener;
			super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responseListener) {

				private boolean received;

				@Override
				public void onMessage(R message) {
					this.received = true;
					super.onMessage(message);
				}

				@Override
				public void onClose(Status status, Metadata trailers) {
					if (status.isOk() || this.received || status.getCode() == Status.Code.CANCELLED) {
						super.onClose(status, trailers);
						return;
					}
					Q sent;
					synchronized (FallbackCall.this) {
						if (!FallbackCall.this.requestSent) {
							FallbackCall.this.pendingStatus = status;
							FallbackCall.this.pendingTrailers = trailers;
							return;
						}
						sent = FallbackCall.this.request;
					}
					close(sent, status, trailers);
				}

			}, headers);
		}

		@Override
		public void sendMessage(Q message) {
			Status pending;
			synchronized (this) {
				this.request = message;
				pending = takePending();
			}
			if (pending != null) {
				close(message, pending, this.pendingTrailers);
				return;
			}
			super.sendMessage(message);
		}

		@Override
		public void halfClose() {
			if (!closePending()) {
				super.halfClose();
			}
		}

		@Override
		public void cancel(String message, Throwable cause) {
			if (!closePending()) {
				super.cancel(message, cause);
			}
		}

		/** Marks the request sent and takes the failure that arrived before it, if any. */
		private synchronized Status takePending() {
			this.requestSent = true;
			Status pending = this.pendingStatus;
			this.pendingStatus = null;
			return pending;
		}

		/** Passes on a failure that arrived before the request was sent; returns whether there was one. */
		private boolean closePending() {
			Status pending = takePending();
			if (pending == null) {
				return false;
			}
			this.listener.onClose(pending, this.pendingTrailers);
			return true;
		}

		private void close(Q sent, Status status, Metadata trailers) {
			R response = null;
			try {
				response = this.fallback.fallback(sent, status, trailers);
			}
			catch (RuntimeException ex) {
				logger.warn("gRPC fallback of {} failed; the caller gets the call's status {}", this.fallback.method(),
						status.getCode(), ex);
			}
			if (response != null) {
				this.listener.onMessage(response);
				this.listener.onClose(Status.OK, new Metadata());
			}
			else {
				this.listener.onClose(status, trailers);
			}
		}

	}

}
