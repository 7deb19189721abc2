package io.github.rpcclient.interceptor;

import javax.net.ssl.SSLException;

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
 * Adds a hint to the status of a call that failed while connecting in a way that suggests plaintext
 * and TLS are mixed up, which grpc-java reports only as {@code UNAVAILABLE: io exception} or
 * {@code Network closed for unknown reason}. The hint names the {@code tls.*} setting to check.
 */
public class ConnectionFailureHintClientInterceptor implements ClientInterceptor {

	private final boolean tls;

	private final String hint;

	/**
	 * Creates the interceptor of a service.
	 * @param serviceName the service name
	 * @param address the service address
	 * @param tls whether the service uses TLS
	 */
	public ConnectionFailureHintClientInterceptor(String serviceName, String address, boolean tls) {
		this.tls = tls;
		this.hint = tls
				? "TLS handshake with gRPC service '" + serviceName + "' at " + address + " failed. If the server is "
						+ "plaintext, set its 'tls.enabled' to false; otherwise check 'tls.trust-cert' or "
						+ "'tls.ssl-bundle' and 'tls.authority-override'."
				: "The connection to gRPC service '" + serviceName + "' at " + address + " was closed before the server "
						+ "answered. If the server expects TLS, set the service's 'tls.enabled' to true.";
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
						super.onClose((!this.answered && suggestsTlsMismatch(status))
								? status.augmentDescription(ConnectionFailureHintClientInterceptor.this.hint) : status,
								trailers);
					}

				}, headers);
			}

		};
	}

	private boolean suggestsTlsMismatch(Status status) {
		if (status.getCode() != Status.Code.UNAVAILABLE) {
			return false;
		}
		if (this.tls) {
			for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
				if (cause instanceof SSLException || cause.getClass().getSimpleName().equals("NotSslRecordException")) {
					return true;
				}
			}
			return false;
		}
		String description = status.getDescription();
		String cause = (status.getCause() != null) ? String.valueOf(status.getCause().getMessage()) : "";
		return "Network closed for unknown reason".equals(description) || cause.contains("Connection reset");
	}

}
