package io.github.rpcclient.interceptor;

import java.io.IOException;
import java.net.ConnectException;
import javax.net.ssl.SSLException;

import io.github.rpcclient.channel.CallObserver;
import io.github.rpcclient.channel.ObservedCall;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * Adds a hint naming the cause and the setting to check to {@code UNAVAILABLE} statuses whose
 * grpc-java description does not say it, only where the evidence points to that cause:
 * <ul>
 * <li>a refused connection: a {@link ConnectException} in the cause chain;</li>
 * <li>plaintext and TLS mixed up: the call never got onto a connection whose handshake completed
 * (grpc-java puts a call on a connection only once the server has answered the HTTP/2 handshake,
 * and the call then carries the connection's remote address), and the failure is what the other
 * side of a mix-up produces: for a plaintext channel, the connection closed or reset during the
 * handshake (a TLS server drops the HTTP/2 preface without a word); for a TLS channel, an
 * {@link SSLException} (or Netty's {@code NotSslRecordException}) in the cause chain. A call on a
 * connection to a backend that then died gets no such hint, whatever its status says;</li>
 * <li>calls refused or cancelled because the service's channel was closed.</li>
 * </ul>
 */
public class FailureHintClientInterceptor implements CallObserver {

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
						+ "answered the HTTP/2 handshake. If the server expects TLS, set the service's 'tls.enabled' to "
						+ "true.";
		this.refusedHint = "Nothing accepts connections for " + name + " at " + service.describeTarget()
				+ " (connection refused). Check that the server is running and the service's 'address'.";
		this.closedHint = "The channel of " + name + " is closed (the application is shutting down, or "
				+ "ManagedChannelRegistry.close() was called); calls made after that fail.";
		this.cancelledHint = "The call was cancelled because it was still running when the 'shutdown-grace-period' ("
				+ service.shutdownGracePeriod().toMillis() + " ms) of " + name + " ended.";
	}

	@Override
	public Status onClose(ObservedCall<?, ?> call, Status status) {
		String hint = (status.getCode() == Status.Code.UNAVAILABLE) ? hint(status, call.answered(), call) : null;
		return (hint != null) ? status.augmentDescription(hint) : status;
	}

	@Nullable
	private String hint(Status status, boolean answered, ClientCall<?, ?> call) {
		String description = status.getDescription();
		if ("Channel shutdown invoked".equals(description)) {
			return this.closedHint;
		}
		if ("Channel shutdownNow invoked".equals(description)) {
			return this.cancelledHint;
		}
		if (answered || ranOnAConnection(call)) {
			return null;
		}
		if (hasCause(status, ConnectException.class)) {
			return this.refusedHint;
		}
		return (this.tls ? failedTlsHandshake(status) : closedDuringHandshake(status)) ? this.mismatchHint : null;
	}

	/**
	 * Whether the call was put on a connection, which grpc-java does only once the server has
	 * answered the HTTP/2 handshake: the call's attributes then carry the remote address.
	 */
	private static boolean ranOnAConnection(ClientCall<?, ?> call) {
		try {
			return call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) != null;
		}
		catch (RuntimeException ex) {
			// a ClientCall may refuse to tell: no evidence either way
			return false;
		}
	}

	private static boolean failedTlsHandshake(Status status) {
		for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof SSLException || cause.getClass().getSimpleName().equals("NotSslRecordException")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether the connection was closed or reset by the other side, which is what a TLS server
	 * does with the HTTP/2 preface of a plaintext client.
	 */
	private static boolean closedDuringHandshake(Status status) {
		String description = status.getDescription();
		if ("Network closed for unknown reason".equals(description)
				|| (description != null && description.startsWith("Connection clos")
						&& description.contains("while performing protocol negotiation"))) {
			return true;
		}
		for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof IOException && String.valueOf(cause.getMessage()).contains("Connection reset")) {
				return true;
			}
		}
		return false;
	}

	private static boolean hasCause(Status status, Class<? extends Throwable> type) {
		for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return true;
			}
		}
		return false;
	}

}
