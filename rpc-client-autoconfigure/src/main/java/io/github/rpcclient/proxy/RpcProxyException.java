package io.github.rpcclient.proxy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call by message id that failed: {@link #error()} says how, {@link #statusCode()} gives the
 * gRPC status code, and a handler error carries the {@link #handlerCode() code} and message the
 * server's handler returned.
 */
public class RpcProxyException extends RuntimeException {

	private final RpcError error;

	private final Status.Code statusCode;

	private final String handlerCode;

	/**
	 * Creates an error of a kind with its own status code.
	 * @param error the kind
	 * @param message what happened
	 */
	public RpcProxyException(RpcError error, String message) {
		this(error, error.statusCode(), null, message, null);
	}

	/**
	 * Creates an error of a kind with its own status code and a cause.
	 * @param error the kind
	 * @param message what happened
	 * @param cause the cause
	 */
	public RpcProxyException(RpcError error, String message, Throwable cause) {
		this(error, error.statusCode(), null, message, cause);
	}

	private RpcProxyException(RpcError error, Status.Code statusCode, String handlerCode, String message,
			Throwable cause) {
		super("[" + error + ((error == RpcError.CALL_FAILED) ? " " + statusCode : "") + "] " + message, cause);
		this.error = error;
		this.statusCode = statusCode;
		this.handlerCode = handlerCode;
	}

	/**
	 * A call that failed with a gRPC status.
	 * @param status the status
	 * @param context what the call was, for the message
	 * @return the exception
	 */
	public static RpcProxyException callFailed(Status status, String context) {
		String description = (status.getDescription() != null) ? ": " + status.getDescription() : "";
		return new RpcProxyException(RpcError.CALL_FAILED, status.getCode(), null, context + description,
				status.getCause());
	}

	/**
	 * A call whose handler failed on the server.
	 * @param code the handler's error code
	 * @param message the handler's message
	 * @param context what the call was, for the message
	 * @return the exception
	 */
	public static RpcProxyException handlerError(String code, String message, String context) {
		return new RpcProxyException(RpcError.HANDLER_ERROR, RpcError.HANDLER_ERROR.statusCode(), code,
				context + " failed in its handler: " + code + ": " + message, null);
	}

	/**
	 * Turns any failure of a call into an RpcProxyException.
	 * @param failure the failure
	 * @param context what the call was, for the message
	 * @return the exception
	 */
	static RpcProxyException of(Throwable failure, String context) {
		if (failure instanceof RpcProxyException proxy) {
			return proxy;
		}
		if (failure instanceof StatusRuntimeException status) {
			return callFailed(status.getStatus(), context);
		}
		return callFailed(Status.fromThrowable(failure), context);
	}

	/** @return what kind of error this is */
	public RpcError error() {
		return this.error;
	}

	/** @return the gRPC status code of the failure */
	public Status.Code statusCode() {
		return this.statusCode;
	}

	/** @return the error code the server's handler returned, or {@code null} unless {@link RpcError#HANDLER_ERROR} */
	public String handlerCode() {
		return this.handlerCode;
	}

}
