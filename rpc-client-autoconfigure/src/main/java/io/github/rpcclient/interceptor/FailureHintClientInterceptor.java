package io.github.rpcclient.interceptor;

import java.net.ConnectException;
import javax.net.ssl.SSLException;

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

/**
 * Adds a hint naming the cause and the setting to check to {@code UNAVAILABLE} statuses whose
 * grpc-java description does not say it: a refused connection and plaintext and TLS mixed up
 * (both {@code io exception} or {@code Network closed for unknown reason}), and calls refused or
 * cancelled because the service's channel was closed.
 */
public class FailureHintClientInterceptor implements ClientInterceptor {

	private final boolean tls;

	private final String mismatchHint;

	private final String refusedHint;

	private final String closedHint;

	private final String cancelledHint;

	/**
	 * Creates the interceptor of a service.
	 * @param service the service
	 */
	public FailureHintClientInterceptor(ServiceSettings service) {
		String name = "gRPC service '" + service.name() + "'";
		this.tls = service.tls().enabled();
		this.mismatchHint = this.tls
				? "TLS handshake with " + name + " at " + service.describeTarget() + " failed. If the server is plaintext, "
						+ "set its 'tls.enabled' to false; otherwise check 'tls.trust-cert' or 'tls.ssl-bundle' and "
						+ "'tls.authority-override'."
				: "The connection to " + name + " at " + service.describeTarget() + " was closed before the server "
						+ "answered. If the server expects TLS, set the service's 'tls.enabled' to true.";
		this.refusedHint = "Nothing accepts connections for " + name + " at " + service.describeTarget()
				+ " (connection refused). Check that the server is running and the service's 'address'.";
		this.closedHint = "The channel of " + name + " is closed (the application is shutting down, or "
				+ "ManagedChannelRegistry.close() was called); calls made after that fail.";
		this.cancelledHint = "The call was cancelled because it was still running when the 'shutdown-grace-period' ("
				+ service.shutdownGracePeriod().toMillis() + " ms) of " + name + " ended.";
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {

			@Override
			public void start(Listener<R> listener, Metadata headers) {
				super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {

					private boolean answered;

					@Override
					public void onHeaders(Metadata responseHeaders) {
						this.answered = true;
						super.onHeaders(responseHeaders);
					}

					@Override
					public void onClose(Status status, Metadata trailers) {
						String hint = (status.getCode() == Status.Code.UNAVAILABLE) ? hint(status, this.answered) : null;
						super.onClose((hint != null) ? status.augmentDescription(hint) : status, trailers);
					}

				}, headers);
			}

		};
	}

	private String hint(Status status, boolean answered) {
		String description = status.getDescription();
		if ("Channel shutdown invoked".equals(description)) {
			return this.closedHint;
		}
		if ("Channel shutdownNow invoked".equals(description)) {
			return this.cancelledHint;
		}
		if (answered) {
			return null;
		}
		for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException) {
				return this.refusedHint;
			}
		}
		return suggestsTlsMismatch(status) ? this.mismatchHint : null;
	}

	private boolean suggestsTlsMismatch(Status status) {
		if (this.tls) {
			for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
				if (cause instanceof SSLException || cause.getClass().getSimpleName().equals("NotSslRecordException")) {
					return true;
				}
			}
			return false;
		}
		String cause = (status.getCause() != null) ? String.valueOf(status.getCause().getMessage()) : "";
		return "Network closed for unknown reason".equals(status.getDescription()) || cause.contains("Connection reset");
	}

}
