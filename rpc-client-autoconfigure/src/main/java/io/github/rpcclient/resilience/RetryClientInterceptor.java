package io.github.rpcclient.resilience;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.retry.Retry;
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
 * Retries the failed unary and server-streaming calls of one service, with the policy and
 * statistics of a Resilience4j {@link Retry} named after the service ({@code service/package.Service/Method}
 * for a method with its own {@code retry} block). Client-streaming and bidi calls are never
 * retried. See {@link RetryingClientCall} for the rules of one call.
 */
public class RetryClientInterceptor implements ClientInterceptor {

	private final String service;

	@Nullable
	private final Retry serviceRetry;

	private final RetrySettings serviceSettings;

	private final Map<String, MethodRetry> configuredMethods = new HashMap<>();

	private final Map<String, RetryPolicy> methods = new ConcurrentHashMap<>();

	@Nullable
	private final RetryBudget budget;

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
		this.budget = service.retry().budget().enabled() ? new RetryBudget(service.retry().budget()) : null;
		this.scheduler = scheduler;
		for (MethodSettings method : service.methods()) {
			RetrySettings retry = method.retry();
			if (retry != null) {
				String name = this.service + "/" + method.name();
				Retry instance = retry.enabled() ? instances.create(name, retry) : null;
				this.configuredMethods.put(method.name(), new MethodRetry(instance, instances.effective(name, retry)));
			}
		}
	}

	/**
	 * @param service the service
	 * @return whether any call of the service may be retried
	 */
	public static boolean appliesTo(ServiceSettings service) {
		return service.retry().enabled()
				|| service.methods().stream().anyMatch((m) -> m.retry() != null && m.retry().enabled());
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		MethodDescriptor.MethodType type = method.getType();
		if (type != MethodDescriptor.MethodType.UNARY && type != MethodDescriptor.MethodType.SERVER_STREAMING) {
			return next.newCall(method, callOptions);
		}
		RetryPolicy policy = this.methods.get(method.getFullMethodName());
		if (policy == null) {
			policy = this.methods.computeIfAbsent(method.getFullMethodName(), (name) -> policy(method));
		}
		if (policy.retry() == null) {
			return next.newCall(method, callOptions);
		}
		return new RetryingClientCall<>(method, callOptions, next, policy, this.budget, this.scheduler);
	}

	private RetryPolicy policy(MethodDescriptor<?, ?> method) {
		MethodRetry configured = this.configuredMethods.get(method.getFullMethodName());
		Retry retry = (configured != null) ? configured.retry() : this.serviceRetry;
		RetrySettings settings = (configured != null) ? configured.settings() : this.serviceSettings;
		Set<Status.Code> codes = EnumSet.noneOf(Status.Code.class);
		codes.addAll(settings.retryableStatusCodes());
		if (method.isIdempotent() || method.isSafe()) {
			codes.addAll(settings.idempotentRetryableStatusCodes());
		}
		return new RetryPolicy(retry, codes);
	}

	private record MethodRetry(@Nullable Retry retry, RetrySettings settings) {
	}

	/**
	 * The retry of one method.
	 * @param retry the Resilience4j instance, or {@code null} for no retry
	 * @param retryableCodes the codes that are retried
	 */
	record RetryPolicy(@Nullable Retry retry, Set<Status.Code> retryableCodes) {
	}

}
