package io.github.rpcclient.proxy;

import java.util.concurrent.CompletableFuture;

import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;

/**
 * Where an {@link RpcProxy} sends its calls: unary calls on the service's chain
 * ({@link UnaryTarget}), or the streams to a stateful service's pods ({@link StreamTarget}).
 */
interface CallTarget {

	/**
	 * Sends a call.
	 * @param request the request, its user set for a stateful service
	 * @param timeoutNanos the call's deadline from now, or 0 for the service's default
	 * @return the response to come; failures are {@link RpcProxyException}s
	 */
	CompletableFuture<CallResponse> send(CallRequest request, long timeoutNanos);

	/**
	 * Ends what the target holds; pending calls fail with the given error.
	 * @param reason the error
	 */
	void close(RpcProxyException reason);

	/** @return the streams open now */
	int openStreams();

}
