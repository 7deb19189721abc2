package io.github.rpcclient.proxy;

import io.grpc.Status;

/**
 * What went wrong with a call by message id. Each {@link RpcProxyException} names one.
 */
public enum RpcError {

	/** The proxy was closed: no call is sent (the seed's 500 PROXY_CLOSED). */
	PROXY_CLOSED(Status.Code.FAILED_PRECONDITION),

	/** The content type is neither BYTES nor JSON (the seed's 400). */
	UNSUPPORTED_CONTENT_TYPE(Status.Code.INVALID_ARGUMENT),

	/** The content does not match its type: JSON that is not one UTF-8 text, or does not map to the type asked for (the seed's 400). */
	INVALID_CONTENT(Status.Code.INVALID_ARGUMENT),

	/** The message id is blank, too long or has control characters. */
	INVALID_MESSAGE_ID(Status.Code.INVALID_ARGUMENT),

	/** A call to a stateful service named no user. */
	USER_REQUIRED(Status.Code.FAILED_PRECONDITION),

	/** The handler on the server failed; its code and message are in the exception. */
	HANDLER_ERROR(Status.Code.UNKNOWN),

	/** The call failed on its way: its gRPC status (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ...) says why. */
	CALL_FAILED(Status.Code.UNKNOWN);

	private final Status.Code statusCode;

	RpcError(Status.Code statusCode) {
		this.statusCode = statusCode;
	}

	/** @return the gRPC status code errors of this kind carry (calls that failed carry their own) */
	public Status.Code statusCode() {
		return this.statusCode;
	}

}
