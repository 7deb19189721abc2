package io.github.rpcclient.discovery;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the discovery of a service to re-read its instances when a call (an attempt) fails with
 * UNAVAILABLE, before the failure goes on up the chain. grpc-java re-resolves by itself when a
 * connection fails; this covers the rest, such as an instance that went away while its connection
 * stayed idle or a backend that answers UNAVAILABLE itself. The refresh only schedules work, and
 * the discovery resolvers space their reads, so failing calls cannot flood the registry.
 */
public final class RefreshOnUnavailableInterceptor implements ClientInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(RefreshOnUnavailableInterceptor.class);

	private final Runnable refresh;

	/**
	 * Creates the interceptor.
	 * @param refresh asks the service's discovery to re-read; must not block
	 */
	public RefreshOnUnavailableInterceptor(Runnable refresh) {
		this.refresh = refresh;
	}

	@Override
	public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
			CallOptions callOptions, Channel next) {
		return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {

			@Override
			public void start(Listener<RespT> responseListener, Metadata headers) {
				super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responseListener) {

					@Override
					public void onClose(Status status, Metadata trailers) {
						if (status.getCode() == Status.Code.UNAVAILABLE) {
							try {
								RefreshOnUnavailableInterceptor.this.refresh.run();
							}
							catch (RuntimeException ex) {
								logger.warn("Could not ask for a discovery refresh after UNAVAILABLE", ex);
							}
						}
						super.onClose(status, trailers);
					}

				}, headers);
			}

		};
	}

}
