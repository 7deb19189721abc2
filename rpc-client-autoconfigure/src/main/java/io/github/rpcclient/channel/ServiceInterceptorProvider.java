package io.github.rpcclient.channel;

import java.util.function.Function;

import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ClientInterceptor;

import org.springframework.core.Ordered;
import org.springframework.lang.Nullable;

/**
 * Supplies the interceptor that one service's calls pass through, at a fixed place in the chain.
 * Lower orders run first (outermost). The built-in places are the constants below, so the chain
 * is: request id, logging, call metrics, failure hints, deadline and compression, fallback,
 * bulkhead, rate limiter, retry, pod selection (stateful services), circuit breaker, observation,
 * discovery refresh ({@code discovery:///} services), then the network. Everything from pod
 * selection inwards runs once per attempt.
 */
public interface ServiceInterceptorProvider extends Ordered {

	/** Order of request-id propagation. */
	int REQUEST_ID_ORDER = 1000;

	/** Order of call logging. */
	int LOGGING_ORDER = 2000;

	/**
	 * Order of the timer of logical calls ({@code grpc.client.calls}): inside logging, above
	 * fallback and retry, so it sees the status the caller sees, once per call.
	 */
	int CALL_METRICS_ORDER = 2050;

	/** Order of the hints added to unclear failures (plaintext/TLS mix-ups, refused connections). */
	int FAILURE_HINT_ORDER = 2100;

	/** Order of the default deadline and compression. */
	int DEADLINE_ORDER = 3000;

	/** Order of fallbacks, which see the final outcome after retries. */
	int FALLBACK_ORDER = 3900;

	/**
	 * Order of the bulkhead: above retry, because it caps logical calls (a call holds one place
	 * through all its attempts and backoffs) and a refused call must not be retried; inside
	 * fallback, so that a refused call gets the fallback's answer.
	 */
	int BULKHEAD_ORDER = 3950;

	/**
	 * Order of the rate limiter: above retry, because it limits logical calls and a refused call
	 * must not be retried; inside the bulkhead, so that a call the bulkhead refuses uses no permit
	 * of the period (a bulkhead place is given back, a rate-limiter permit is not).
	 */
	int RATE_LIMITER_ORDER = 3970;

	/** Order of retry. */
	int RETRY_ORDER = 4000;

	/** Order of pod selection for stateful services, so each retry attempt picks a live pod. */
	int ROUTE_ORDER = 4500;

	/** Order of the circuit breaker (per pod for stateful services). */
	int CIRCUIT_BREAKER_ORDER = 5000;

	/** Order of metrics and observation, once per attempt. */
	int OBSERVATION_ORDER = 6000;

	/**
	 * Order of the re-resolution of {@code discovery:///} services after an UNAVAILABLE attempt,
	 * inside observation, nearest the network.
	 */
	int DISCOVERY_REFRESH_ORDER = 6500;

	/**
	 * Returns the interceptor for one service.
	 * @param service the service
	 * @return the interceptor, or {@code null} if the service needs none
	 */
	@Nullable
	ClientInterceptor interceptorFor(ServiceSettings service);

	/**
	 * Creates a provider from a function.
	 * @param order its place in the chain
	 * @param factory creates the interceptor of a service, or returns {@code null} for none
	 * @return the provider
	 */
	static ServiceInterceptorProvider perService(int order, Function<ServiceSettings, ClientInterceptor> factory) {
		return new ServiceInterceptorProvider() {

			@Override
			public ClientInterceptor interceptorFor(ServiceSettings service) {
				return factory.apply(service);
			}

			@Override
			public int getOrder() {
				return order;
			}

		};
	}

	/**
	 * Wraps an interceptor that applies to every service.
	 * @param interceptor the interceptor
	 * @param order its place in the chain
	 * @return the provider
	 */
	static ServiceInterceptorProvider global(ClientInterceptor interceptor, int order) {
		return perService(order, (service) -> interceptor);
	}

}
