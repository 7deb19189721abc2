package io.github.rpcclient.route;

import java.util.OptionalInt;

import io.github.rpcclient.channel.FailingClientCall;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Pins each call of a stateful service to its user's pod: reads the user from the
 * {@link StatefulRouting#UID} call option (else the {@link StatefulRouting#CONTEXT_UID} context
 * key), computes the pod with the {@link StatefulRouteDriver} and passes it down as the
 * {@link StatefulRouting#POD} call option. A call that fails with UNAVAILABLE on a pod that is then
 * found unavailable expires the cached link, so that the next call, or a retry (which runs this
 * interceptor again), relinks to a live pod. A call whose route cannot be read because Redis did
 * not answer fails with UNAVAILABLE once, within {@code command-timeout}: its trailers carry a
 * negative {@code grpc-retry-pushback-ms}, which stops the call's retry and hedging (every attempt
 * would wait for Redis again).
 * <p>
 * A call that already carries the {@link StatefulRouting#POD} option goes to that pod as it is:
 * {@code RpcProxy} opens its per-pod streams so, after choosing the pod with the driver itself.
 */
public class StatefulRouteInterceptor implements ClientInterceptor {

	private static final Metadata.Key<String> NO_RETRY_PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms",
			Metadata.ASCII_STRING_MARSHALLER);

	private final String service;

	private final String namespace;

	private final StatefulRouteDriver driver;

	private final PodRegistry registry;

	/**
	 * Creates the interceptor of a stateful service.
	 * @param service the service name
	 * @param driver computes each user's pod
	 * @param registry tells whether a pod is still available
	 */
	public StatefulRouteInterceptor(String service, StatefulRouteDriver driver, PodRegistry registry) {
		this.service = service;
		this.namespace = driver.localNamespace();
		this.driver = driver;
		this.registry = registry;
	}

	@Override
	public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
			CallOptions callOptions, Channel next) {
		if (callOptions.getOption(StatefulRouting.POD) != null) {
			return next.newCall(method, callOptions);
		}
		String uid = callOptions.getOption(StatefulRouting.UID);
		if (uid == null) {
			uid = StatefulRouting.CONTEXT_UID.get();
		}
		if (uid == null) {
			return new FailingClientCall<>(Status.FAILED_PRECONDITION.withDescription("Calls to stateful service '"
					+ this.service + "' must name their user: stub.withOption(StatefulRouting.UID, uid), or make the "
					+ "call inside StatefulRouting.runAs(uid, ...) / callAs(uid, ...)"), callOptions.getExecutor());
		}
		OptionalInt pod;
		try {
			pod = this.driver.computeLinkedPod(this.namespace, uid, this.service);
		}
		catch (RouteStoreUnavailableException ex) {
			return new FailingClientCall<>(Status.UNAVAILABLE.withDescription(ex.getMessage()).withCause(ex),
					noRetry(), callOptions.getExecutor());
		}
		catch (IllegalArgumentException ex) {
			return new FailingClientCall<>(Status.INVALID_ARGUMENT.withDescription(ex.getMessage()).withCause(ex), callOptions.getExecutor());
		}
		if (pod.isEmpty()) {
			return new FailingClientCall<>(Status.UNAVAILABLE
				.withDescription("No pod of stateful service '" + this.service + "' can take user '" + uid + "'"), callOptions.getExecutor());
		}
		int index = pod.getAsInt();
		String user = uid;
		ClientCall<ReqT, RespT> call = next.newCall(method, callOptions.withOption(StatefulRouting.POD, index));
		return new SimpleForwardingClientCall<>(call) {

			@Override
			public void start(Listener<RespT> responseListener, Metadata headers) {
				super.start(new SimpleForwardingClientCallListener<>(responseListener) {

					@Override
					public void onClose(Status status, Metadata trailers) {
						if (status.getCode() == Status.Code.UNAVAILABLE) {
							podUnavailable(user, index);
						}
						super.onClose(status, trailers);
					}

				}, headers);
			}

		};
	}

	/**
	 * Trailers asking the call's retry and hedging not to try again (a negative
	 * {@code grpc-retry-pushback-ms}, gRFC A6): another attempt would wait for Redis again.
	 */
	private static Metadata noRetry() {
		Metadata trailers = new Metadata();
		trailers.put(NO_RETRY_PUSHBACK, "-1");
		return trailers;
	}

	private void podUnavailable(String uid, int index) {
		try {
			if (!this.registry.isAvailable(this.namespace, this.service, index)) {
				this.driver.cacheExpired(this.namespace, uid, this.service);
			}
		}
		catch (RuntimeException ex) {
			// the registry cannot be read: keep the link
		}
	}

}
