package io.github.rpcclient.interceptor;

import java.util.UUID;

import io.github.rpcclient.channel.CallObserver;
import io.github.rpcclient.channel.ObservedCall;
import io.github.rpcclient.settings.RequestIdSettings;
import io.grpc.Metadata;
import org.slf4j.MDC;

/**
 * Sends a request id as a metadata header: the id in the gRPC context ({@link RequestIdContext}),
 * else the first of the configured MDC keys that is set, else (if configured) a random UUID. A
 * header the caller set already is left alone.
 */
public class RequestIdClientInterceptor implements CallObserver {

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
	public void onStart(ObservedCall<?, ?> call, Metadata headers) {
		if (!headers.containsKey(this.header)) {
			String requestId = currentRequestId();
			if (requestId != null) {
				headers.put(this.header, requestId);
			}
		}
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
