package io.github.rpcclient.resilience;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.rpcclient.config.MethodProperties;
import io.github.rpcclient.config.RetryProperties;
import io.github.rpcclient.config.ServiceProperties;
import io.github.resilience4j.retry.Retry;
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

	private final RetryProperties serviceSettings;

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
	public RetryClientInterceptor(ServiceProperties service, RetryInstances instances, RetryScheduler scheduler) {
		this.service = service.getName();
		this.serviceSettings = instances.effective(service.getName(), service.getRetry());
		this.serviceRetry = service.getRetry().isEnabled() ? instances.create(service.getName(), service.getRetry()) : null;
		this.budget = service.getRetry().getBudget().isEnabled() ? new RetryBudget(service.getRetry().getBudget()) : null;
		this.scheduler = scheduler;
		for (MethodProperties method : service.getMethods()) {
			RetryProperties retry = method.getRetry();
			if (retry != null) {
				String name = this.service + "/" + method.getName();
				Retry instance = retry.isEnabled() ? instances.create(name, retry) : null;
				this.configuredMethods.put(method.getName(),
						new MethodRetry(instance, instances.effective(name, retry)));
			}
		}
	}

	/**
	 * @param service the service
	 * @return whether any call of the service may be retried
	 */
	public static boolean appliesTo(ServiceProperties service) {
		return service.getRetry().isEnabled()
				|| service.getMethods().stream().anyMatch((m) -> m.getRetry() != null && m.getRetry().isEnabled());
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
		RetryProperties settings = (configured != null) ? configured.settings() : this.serviceSettings;
		Set<Status.Code> codes = EnumSet.noneOf(Status.Code.class);
		addAll(codes, settings.getRetryableStatusCodes());
		if (method.isIdempotent() || method.isSafe()) {
			addAll(codes, settings.getIdempotentRetryableStatusCodes());
		}
		return new RetryPolicy(retry, codes);
	}

	private static void addAll(Set<Status.Code> codes, @Nullable Set<Status.Code> more) {
		if (more != null) {
			codes.addAll(more);
		}
	}

	private record MethodRetry(@Nullable Retry retry, RetryProperties settings) {
	}

	/**
	 * The retry of one method.
	 * @param retry the Resilience4j instance, or {@code null} for no retry
	 * @param retryableCodes the codes that are retried
	 */
	record RetryPolicy(@Nullable Retry retry, Set<Status.Code> retryableCodes) {
	}

}
