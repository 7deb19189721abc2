package io.github.rpcclient.interceptor;

import java.util.UUID;

import io.github.rpcclient.settings.RequestIdSettings;
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
	 * @param settings the header, MDC keys and generation setting
	 */
	public RequestIdClientInterceptor(RequestIdSettings settings) {
		this.header = settings.header();
		this.mdcKeys = settings.mdcKeys().toArray(new String[0]);
		this.generateIfAbsent = settings.generateIfAbsent();
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
