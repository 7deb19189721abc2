package io.github.rpcclient.interceptor;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.settings.MethodSettings;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;

/**
 * Gives a call that carries no deadline of its own the one configured for its method
 * ({@code methods[].timeout}, any call type) or its service ({@code timeout}, unary and
 * server-streaming calls only: a long-lived client or bidi stream would be cut off).
 */
public class DeadlineClientInterceptor implements ClientInterceptor {

	private final long defaultNanos;

	private final Map<String, Long> methodNanos = new HashMap<>();

	/**
	 * Creates the interceptor of a service.
	 * @param service the service
	 */
	public DeadlineClientInterceptor(ServiceSettings service) {
		this.defaultNanos = service.timeout().toNanos();
		for (MethodSettings method : service.methods()) {
			Duration timeout = method.timeout();
			if (timeout != null) {
				this.methodNanos.put(method.name(), timeout.toNanos());
			}
		}
	}

	/**
	 * @param service the service
	 * @return whether the service has any deadline to apply
	 */
	public static boolean appliesTo(ServiceSettings service) {
		return !service.timeout().isZero() || service.methods().stream().anyMatch((m) -> m.timeout() != null);
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		if (callOptions.getDeadline() == null) {
			long nanos = deadlineNanos(method);
			if (nanos > 0) {
				callOptions = callOptions.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS);
			}
		}
		return next.newCall(method, callOptions);
	}

	private long deadlineNanos(MethodDescriptor<?, ?> method) {
		Long configured = this.methodNanos.isEmpty() ? null : this.methodNanos.get(method.getFullMethodName());
		if (configured != null) {
			return configured;
		}
		MethodDescriptor.MethodType type = method.getType();
		return (type == MethodDescriptor.MethodType.UNARY || type == MethodDescriptor.MethodType.SERVER_STREAMING)
				? this.defaultNanos : 0;
	}

}
