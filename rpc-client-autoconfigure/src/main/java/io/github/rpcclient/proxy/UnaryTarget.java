package io.github.rpcclient.proxy;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;
import io.github.rpcclient.proxy.wire.RouterServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * Stateless calls: one unary {@code Call} each, through the service's channel and its whole chain
 * (request id, logging, deadline, fallback, retry, circuit breaker, observation, global
 * interceptors), exactly as a generated stub's call.
 */
final class UnaryTarget implements CallTarget {

	private final Channel channel;

	private final String service;

	UnaryTarget(Channel channel, String service) {
		this.channel = channel;
		this.service = service;
	}

	@Override
	public CompletableFuture<CallResponse> send(CallRequest request, long timeoutNanos) {
		CallOptions options = CallOptions.DEFAULT;
		if (timeoutNanos > 0) {
			options = options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
		}
		ClientCall<CallRequest, CallResponse> call = this.channel.newCall(RouterServiceGrpc.getCallMethod(), options);
		CompletableFuture<CallResponse> future = new CompletableFuture<>();
		String context = "Call '" + request.getMsgId() + "' (request " + request.getRequestId() + ") to '" + this.service + "'";
		ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {

			private CallResponse response;

			@Override
			public void onNext(CallResponse value) {
				this.response = value;
			}

			@Override
			public void onError(Throwable failure) {
				future.completeExceptionally(RpcProxyException.of(failure, context));
			}

			@Override
			public void onCompleted() {
				future.complete(this.response);
			}

		});
		future.whenComplete((response, failure) -> {
			if (failure instanceof CancellationException) {
				call.cancel("cancelled by the caller", null);
			}
		});
		return future;
	}

	@Override
	public void close(RpcProxyException reason) {
		// nothing of its own: the channel belongs to the registry
	}

	@Override
	public int openStreams() {
		return 0;
	}

}
