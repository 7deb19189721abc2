package io.github.rpcclient.resilience;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.rpcclient.channel.FailingClientCall;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.settings.CircuitBreakerSettings;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * Passes every attempt of one service's calls through its Resilience4j {@link CircuitBreaker}
 * (per pod, {@code service#pod}, when the call carries {@link StatefulRouting#POD}).
 * <p>
 * What each attempt counts for, by call type:
 * <ul>
 * <li>every call type: a status among the configured {@code recorded-status-codes} (server-side
 * and transport failures) is a failure, every other status a success, and a cancellation
 * ({@code CANCELLED}, by the caller or its context) is not counted at all;</li>
 * <li>unary calls: also their duration, from start to close, so Resilience4j's slow-call rules
 * ({@code slow-call-duration-threshold}, {@code slow-call-rate-threshold}) apply to them;</li>
 * <li>client-streaming, server-streaming and bidi calls: their status only, recorded with a
 * duration of zero, so they are never slow. How long a stream lasts, and even how long its server
 * takes to send the first headers, is set by the application protocol (a watch stream waiting
 * for events, a client uploading for minutes), not by the backend's health; a stuck stream ends
 * with {@code DEADLINE_EXCEEDED}, which is a failure.</li>
 * </ul>
 * While the breaker refuses calls, an attempt fails at once with {@code UNAVAILABLE} naming the
 * service and the state that refused it (never {@code CLOSED}, even when the breaker closes while
 * it refuses), caused by a {@link CallNotPermittedException} (which also ends retrying), and
 * nothing is sent.
 * <p>
 * An attempt let through owns its permission and ends it exactly once, whatever path it takes
 * (see {@link GuardedClientCall}); when creating the call below the breaker throws, the permission
 * is released at once. No permission is left behind to keep a half-open breaker from closing.
 */
public class CircuitBreakerClientInterceptor implements ClientInterceptor {

	private final String service;

	@Nullable
	private final CircuitBreaker serviceBreaker;

	private final Map<Integer, CircuitBreaker> podBreakers;

	private final CircuitBreakerInstances instances;

	private final CircuitBreakerSettings settings;

	private final Set<Status.Code> recordedCodes;

	/**
	 * Creates the interceptor of a service and its breaker.
	 * @param service the service
	 * @param instances creates the Resilience4j instances
	 * @param breakerOpened told the service's breaker whenever it opens, to stop the channel
	 * reconnecting to a backend no call is sent to (see {@link IdleWhileOpen})
	 */
	public CircuitBreakerClientInterceptor(ServiceSettings service, CircuitBreakerInstances instances,
			Consumer<CircuitBreaker> breakerOpened) {
		this.service = service.name();
		this.settings = service.circuitBreaker();
		this.instances = instances;
		// A stateful service has only per-pod breakers: one dead pod must not fail every user.
		this.serviceBreaker = service.stateful() ? null : instances.create(this.service, this.settings);
		if (this.serviceBreaker != null) {
			this.serviceBreaker.getEventPublisher().onStateTransition((event) -> {
				if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
					breakerOpened.accept(this.serviceBreaker);
				}
			});
		}
		this.podBreakers = instances.podBreakers(this.service);
		Set<Status.Code> codes = this.settings.recordedStatusCodes();
		this.recordedCodes = codes.isEmpty() ? EnumSet.noneOf(Status.Code.class) : EnumSet.copyOf(codes);
	}

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		CircuitBreaker breaker = breakerFor(callOptions.getOption(StatefulRouting.POD));
		if (breaker == null) {
			return next.newCall(method, callOptions);
		}
		CircuitBreaker.State before = breaker.getState();
		if (!breaker.tryAcquirePermission()) {
			Status refusal = refusal(breaker, refusingState(before, breaker));
			return new FailingClientCall<>(refusal, callOptions.getExecutor());
		}
		ClientCall<Q, R> call;
		try {
			call = next.newCall(method, callOptions);
		}
		catch (RuntimeException | Error ex) {
			breaker.releasePermission();
			throw ex;
		}
		return new GuardedClientCall<>(call, breaker, this.recordedCodes,
				method.getType() == MethodDescriptor.MethodType.UNARY);
	}

	@Nullable
	private CircuitBreaker breakerFor(@Nullable Integer pod) {
		if (pod == null) {
			return this.serviceBreaker;
		}
		CircuitBreaker breaker = this.podBreakers.get(pod);
		if (breaker == null) {
			breaker = this.podBreakers.computeIfAbsent(pod, (index) -> this.instances
				.create(CircuitBreakerInstances.podBreakerName(this.service, index), this.settings));
		}
		return breaker;
	}

	/**
	 * The refusal of a call, naming the state that refused it. Resilience4j's
	 * {@link CallNotPermittedException} names the state it reads when it is created, which may
	 * already be the next one; it is the cause, for what it is (it ends retrying).
	 */
	private Status refusal(CircuitBreaker breaker, CircuitBreaker.State state) {
		return Status.UNAVAILABLE
			.withDescription("Circuit breaker '" + breaker.getName() + "' of gRPC service '" + this.service + "' is "
					+ state + ": the call was not sent")
			.withCause(CallNotPermittedException.createCallNotPermittedException(breaker));
	}

	/**
	 * Returns the state that refused a call. Only {@code OPEN}, {@code HALF_OPEN} and
	 * {@code FORCED_OPEN} refuse calls, and {@code CLOSED} only once it has started opening. So the
	 * state read just before asking for the permission is the one that refused, unless it lets
	 * calls through: then the breaker left it meanwhile, and the refusing state is the one it is in
	 * now if that refuses calls, else {@code OPEN}. Never a state that lets calls through.
	 * @param before the state read just before asking for the permission
	 * @param breaker the breaker that refused the call
	 * @return the refusing state
	 */
	static CircuitBreaker.State refusingState(CircuitBreaker.State before, CircuitBreaker breaker) {
		if (refuses(before)) {
			return before;
		}
		CircuitBreaker.State now = breaker.getState();
		return refuses(now) ? now : CircuitBreaker.State.OPEN;
	}

	private static boolean refuses(CircuitBreaker.State state) {
		return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.HALF_OPEN
				|| state == CircuitBreaker.State.FORCED_OPEN;
	}

}
