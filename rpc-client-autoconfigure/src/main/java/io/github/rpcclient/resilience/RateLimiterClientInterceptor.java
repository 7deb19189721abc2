package io.github.rpcclient.resilience;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.rpcclient.channel.FailingClientCall;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Limits the calls one service starts per period with its Resilience4j {@link RateLimiter}. A call
 * over the limit of the current period fails at once with {@code RESOURCE_EXHAUSTED} naming the
 * service and the limit, caused by a {@link RequestNotPermitted}; nothing is sent and the caller's
 * thread never waits for the next period. A permit is not given back: a call that was let through
 * counts for its period however it ends.
 */
public class RateLimiterClientInterceptor implements ClientInterceptor {

	private final RateLimiter rateLimiter;

	private final Status refusal;

	/**
	 * Creates the interceptor of a service and its rate limiter.
	 * @param service the service
	 * @param instances creates the Resilience4j instances
	 */
	public RateLimiterClientInterceptor(ServiceSettings service, RateLimiterInstances instances) {
		this.rateLimiter = instances.create(service.name(), service.rateLimiter());
		this.refusal = Status.RESOURCE_EXHAUSTED
			.withDescription("gRPC service '" + service.name() + "' has started "
					+ this.rateLimiter.getRateLimiterConfig().getLimitForPeriod() + " calls in this period, its limit ("
					+ instances.limitProperties(service.name(), service.rateLimiter()) + "): the call was not sent")
			.withCause(RequestNotPermitted.createRequestNotPermitted(this.rateLimiter));
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		if (!this.rateLimiter.acquirePermission()) {
			return new FailingClientCall<>(this.refusal, callOptions.getExecutor());
		}
		return next.newCall(method, callOptions);
	}

}
