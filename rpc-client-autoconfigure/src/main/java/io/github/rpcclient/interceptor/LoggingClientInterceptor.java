package io.github.rpcclient.interceptor;

import java.time.Duration;

import io.github.rpcclient.channel.CallObserver;
import io.github.rpcclient.channel.ObservedCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each call's method, service, target, duration and status, never its payloads, by the logger
 * {@value #LOGGER_NAME}: failures of the server or the network at WARN; successes, and outcomes the
 * caller caused or asked for ({@link #isCallerOutcome client errors and cancellations}), at DEBUG.
 * When that logger is off for both levels, nothing is formatted.
 * <p>
 * Safe for the log: the server's status message is {@link LogText#escape escaped} (no forged
 * lines), and WARN lines are rate-limited per method, at most one per {@code warn-interval} with
 * the number of failures not logged since the previous line.
 */
public class LoggingClientInterceptor implements CallObserver {

	/** The logger calls are logged by. */
	public static final String LOGGER_NAME = "io.github.rpcclient.calls";

	private static final Logger logger = LoggerFactory.getLogger(LOGGER_NAME);

	private final String serviceName;

	private final String target;

	private final WarnRateLimiter warnings;

	/**
	 * Creates the interceptor of a service that writes at most one WARN line a second per method.
	 * @param serviceName the service name
	 * @param target the service address
	 */
	public LoggingClientInterceptor(String serviceName, String target) {
		this(serviceName, target, Duration.ofSeconds(1));
	}

	/**
	 * Creates the interceptor of a service.
	 * @param serviceName the service name
	 * @param target the service address
	 * @param warnInterval at most one WARN line per method in this interval; zero for no limit
	 */
	public LoggingClientInterceptor(String serviceName, String target, Duration warnInterval) {
		this.serviceName = serviceName;
		this.target = target;
		this.warnings = new WarnRateLimiter(warnInterval);
	}

	@Override
	public Status onClose(ObservedCall<?, ?> call, Status status) {
		log(call.method(), status, System.nanoTime() - call.startNanos());
		return status;
	}

	private void log(MethodDescriptor<?, ?> method, Status status, long nanos) {
		boolean incident = !status.isOk() && !isCallerOutcome(status.getCode());
		if (incident ? !logger.isWarnEnabled() : !logger.isDebugEnabled()) {
			return;
		}
		long suppressed = incident ? this.warnings.acquire(method.getFullMethodName()) : 0;
		if (suppressed < 0) {
			return;
		}
		String message = String.format("gRPC %s -> %s (%s) %s%s in %.1f ms%s", method.getFullMethodName(),
				this.serviceName, this.target, status.getCode(),
				(status.getDescription() != null) ? ": " + LogText.escape(status.getDescription()) : "",
				nanos / 1_000_000.0, (suppressed > 0) ? " (" + suppressed + " more failures of this method not logged)" : "");
		if (incident) {
			logger.warn(message);
		}
		else {
			logger.debug(message);
		}
	}

	/**
	 * Whether a status is an answer to what the caller sent or did (a client error such as
	 * NOT_FOUND or INVALID_ARGUMENT, or its own cancellation) rather than a failure of the server or
	 * the network.
	 * @param code the status code
	 * @return whether it is logged at DEBUG only
	 */
	static boolean isCallerOutcome(Status.Code code) {
		return switch (code) {
			case CANCELLED, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, UNAUTHENTICATED,
					FAILED_PRECONDITION, OUT_OF_RANGE -> true;
			default -> false;
		};
	}

}
