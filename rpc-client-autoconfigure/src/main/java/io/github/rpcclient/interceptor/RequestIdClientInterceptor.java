package io.github.rpcclient.interceptor;

import java.util.List;
import java.util.UUID;

import io.github.rpcclient.config.ConfigurationViolation;
import io.github.rpcclient.config.InvalidServiceConfigurationException;
import io.github.rpcclient.config.RequestIdProperties;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import org.slf4j.MDC;

/**
 * Sends a request id as a metadata header: the id in the gRPC context ({@link RequestIdContext}),
 * else the first of the configured MDC keys that is set, else (if configured) a random UUID. A
 * header the caller set already is left alone.
 */
public class RequestIdClientInterceptor implements ClientInterceptor {

	private final Metadata.Key<String> header;

	private final String[] mdcKeys;

	private final boolean generateIfAbsent;

	/**
	 * Creates the interceptor.
	 * @param properties the header, MDC keys and generation setting
	 */
	public RequestIdClientInterceptor(RequestIdProperties properties) {
		this.header = headerKey(properties.getHeader());
		List<String> keys = properties.getMdcKeys();
		this.mdcKeys = keys.toArray(new String[0]);
		this.generateIfAbsent = properties.isGenerateIfAbsent();
	}

	private static Metadata.Key<String> headerKey(String name) {
		try {
			if (name == null || name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
				throw new IllegalArgumentException("binary ('-bin') headers cannot carry a text id");
			}
			return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidServiceConfigurationException(List.of(new ConfigurationViolation(
					"grpc-clients.request-id.header", name, "is not a valid metadata header name: " + ex.getMessage(),
					"use letters, digits, '-', '_' and '.', such as 'x-request-id'")));
		}
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		String requestId = currentRequestId();
		ClientCall<Q, R> call = next.newCall(method, callOptions);
		if (requestId == null) {
			return call;
		}
		return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {

			@Override
			public void start(Listener<R> listener, Metadata headers) {
				if (!headers.containsKey(RequestIdClientInterceptor.this.header)) {
					headers.put(RequestIdClientInterceptor.this.header, requestId);
				}
				super.start(listener, headers);
			}

		};
	}

	private String currentRequestId() {
		String id = RequestIdContext.KEY.get();
		for (int i = 0; id == null && i < this.mdcKeys.length; i++) {
			id = MDC.get(this.mdcKeys[i]);
		}
		if (id == null && this.generateIfAbsent) {
			id = UUID.randomUUID().toString();
		}
		return id;
	}

}
