package io.github.rpcclient.test;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Server interceptor of test backends: records every request's headers and exposes the
 * {@code x-trace-id} header to the service through the gRPC context.
 */
final class RequestHeaders implements ServerInterceptor {

	static final Context.Key<String> REQUEST_ID = Context.key("test-request-id");

	static final Metadata.Key<String> TRACE_HEADER = Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);

	private final EchoServiceImpl service;

	RequestHeaders(EchoServiceImpl service) {
		this.service = service;
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		this.service.recordHeaders(headers);
		EchoServiceImpl.Fault fault = this.service.nextFault(call.getMethodDescriptor().getBareMethodName());
		if (fault != null) {
			if (fault.headersFirst()) {
				call.sendHeaders(new Metadata());
			}
			call.close(fault.status(), fault.trailers());
			return new ServerCall.Listener<>() {
			};
		}
		Context context = Context.current().withValue(REQUEST_ID, headers.get(TRACE_HEADER));
		return Contexts.interceptCall(context, call, headers, next);
	}

}
