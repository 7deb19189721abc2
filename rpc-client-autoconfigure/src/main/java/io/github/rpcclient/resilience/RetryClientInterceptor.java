package io.github.rpcclient.resilience;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.retry.Retry;
import io.github.rpcclient.settings.HedgingSettings;
import io.github.rpcclient.settings.MethodSettings;
import io.github.rpcclient.settings.RetrySettings;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * Retries or hedges the unary and server-streaming calls of one service. Retries have the policy
 * and statistics of a Resilience4j {@link Retry} named after the service
 * ({@code service/package.Service/Method} for a method with its own {@code retry} block). A
 * method is hedged instead when it has its own enabled {@code hedging} block, or when the service's
 * hedging is enabled and the method is idempotent or side-effect-free (and has no {@code retry}
 * block of its own). Client-streaming and bidi calls are neither. See {@link RetriableCall} for
 * the rules of one call.
 */
public class RetryClientInterceptor implements ClientInterceptor {

	private final String service;

	@Nullable
	private final Retry serviceRetry;

	private final RetrySettings serviceSettings;

	private final Map<String, MethodRetry> configuredMethods = new HashMap<>();

	private final Map<String, CallPolicy> methods = new ConcurrentHashMap<>();

	private final HedgingSettings serviceHedging;

	@Nullable
	private final RetryBudget budget;

	private final ReplayBufferLimits limits;

	private final RetryScheduler scheduler;

	/**
	 * Creates the interceptor of a service and its retry instances.
	 * @param service the service
	 * @param instances creates the Resilience4j instances
	 * @param scheduler runs the retries
	 */
	public RetryClientInterceptor(ServiceSettings service, RetryInstances instances, RetryScheduler scheduler) {
		this.service = service.name();
		this.serviceSettings = instances.effective(service.name(), service.retry());
		this.serviceRetry = service.retry().enabled() ? instances.create(service.name(), service.retry()) : null;
		this.serviceHedging = service.hedging();
		this.budget = service.retry().budget().enabled() ? new RetryBudget(service.retry().budget()) : null;
		this.limits = new ReplayBufferLimits(service.retryBuffer().perCallLimit(),
				service.retryBuffer().perServiceLimit());
		this.scheduler = scheduler;
		for (MethodSettings method : service.methods()) {
			RetrySettings retry = method.retry();
			if (retry != null || method.hedging() != null) {
				String name = this.service + "/" + method.name();
				Retry instance = (retry != null && retry.enabled()) ? instances.create(name, retry) : null;
				this.configuredMethods.put(method.name(), new MethodRetry(instance,
						(retry != null) ? instances.effective(name, retry) : null, method.hedging()));
			}
		}
	}

	/**
	 * @param service the service
	 * @return whether any call of the service may be retried
	 */
	public static boolean appliesTo(ServiceSettings service) {
		return service.retry().enabled() || service.hedging().enabled() || service.methods()
			.stream()
			.anyMatch((m) -> m.retry() != null && m.retry().enabled() || m.hedging() != null && m.hedging().enabled());
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		MethodDescriptor.MethodType type = method.getType();
		if (type != MethodDescriptor.MethodType.UNARY && type != MethodDescriptor.MethodType.SERVER_STREAMING) {
			return next.newCall(method, callOptions);
		}
		CallPolicy policy = this.methods.get(method.getFullMethodName());
		if (policy == null) {
			policy = this.methods.computeIfAbsent(method.getFullMethodName(), (name) -> policy(method));
		}
		if (policy.retry() == null && policy.hedging() == null) {
			return next.newCall(method, callOptions);
		}
		return new RetriableCall<>(method, callOptions, next, policy, this.scheduler);
	}

	private CallPolicy policy(MethodDescriptor<?, ?> method) {
		MethodRetry configured = this.configuredMethods.get(method.getFullMethodName());
		boolean idempotent = method.isIdempotent() || method.isSafe();
		HedgingSettings hedging = null;
		if (configured != null && configured.hedging() != null) {
			hedging = configured.hedging().enabled() ? configured.hedging() : null;
		}
		else if ((configured == null || configured.settings() == null) && this.serviceHedging.enabled() && idempotent) {
			hedging = this.serviceHedging;
		}
		if (hedging != null) {
			return new CallPolicy(null, Set.of(), hedging, this.budget, this.limits);
		}
		boolean own = configured != null && configured.settings() != null;
		Retry retry = own ? configured.retry() : this.serviceRetry;
		RetrySettings settings = own ? configured.settings() : this.serviceSettings;
		Set<Status.Code> codes = EnumSet.noneOf(Status.Code.class);
		codes.addAll(settings.retryableStatusCodes());
		if (idempotent) {
			codes.addAll(settings.idempotentRetryableStatusCodes());
		}
		return new CallPolicy(retry, codes, null, this.budget, this.limits);
	}

	private record MethodRetry(@Nullable Retry retry, @Nullable RetrySettings settings,
			@Nullable HedgingSettings hedging) {
	}

}
