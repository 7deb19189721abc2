package io.github.rpcclient.interceptor;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;

/**
 * Compresses request messages with a compressor when the call names none of its own.
 */
public class CompressionClientInterceptor implements ClientInterceptor {

	private final String compressor;

	/**
	 * Creates the interceptor.
	 * @param compressor a compressor name known to grpc-java, such as {@code gzip}
	 */
	public CompressionClientInterceptor(String compressor) {
		this.compressor = compressor;
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		return next.newCall(method,
				(callOptions.getCompressor() == null) ? callOptions.withCompression(this.compressor) : callOptions);
	}

}
