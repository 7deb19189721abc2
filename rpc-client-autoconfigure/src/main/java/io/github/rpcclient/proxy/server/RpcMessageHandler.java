package io.github.rpcclient.proxy.server;

/**
 * Handles one message id; registered with {@link RpcHandlerRegistry#register} (or declared with
 * {@link RpcHandler @RpcHandler}).
 */
@FunctionalInterface
public interface RpcMessageHandler {

	/**
	 * Handles a call.
	 * @param request the call
	 * @return an {@code RpcContent}, a {@code byte[]}, {@code null}, a {@code CompletionStage} of
	 * one of these, or any other object (written as JSON; a {@code String} as a JSON string)
	 * @throws Exception to answer with an error: {@link RpcHandlerException} with its code, any
	 * other with {@code HANDLER_FAILED}
	 */
	Object handle(RpcRequest request) throws Exception;

}
