package io.github.rpcclient.proxy.server;

/**
 * Thrown by a handler to answer with an error code and message of its own; the caller's
 * {@code RpcProxyException} carries both ({@code HANDLER_ERROR}).
 */
public class RpcHandlerException extends RuntimeException {

	private final String code;

	/**
	 * @param code the error code, such as {@code BAD_PASSWORD}
	 * @param message what went wrong, for the caller
	 */
	public RpcHandlerException(String code, String message) {
		super(message);
		this.code = code;
	}

	/** @return the error code */
	public String code() {
		return this.code;
	}

}
