package io.github.rpcclient.actuate;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.rpcclient.actuate.PodAccess.PodDescriptor;
import io.github.rpcclient.settings.CircuitBreakerSettings;
import io.github.rpcclient.settings.ConfigurationViolation;
import io.github.rpcclient.settings.MethodSettings;
import io.github.rpcclient.settings.RetrySettings;

import org.springframework.lang.Nullable;

/**
 * What the {@code grpcclients} endpoint reports of one service. Durations are written as in
 * configuration ({@code 30s}, {@code 250ms}). Fields without a value are left out. No
 * secret is part of it: TLS is reported on or off.
 *
 * @param target the configured address, or {@code null} for a stateful service reached through
 * its pods
 * @param resolvedAddresses what the target resolves to now (the pods' addresses for a stateful
 * service)
 * @param state the channel's connectivity state (for a stateful service, the best of its pods')
 * @param stateful whether calls are pinned to a user's pod
 * @param loadBalancingPolicy the load-balancing policy
 * @param connect the connect mode
 * @param timeout the default deadline
 * @param tls whether the channel uses TLS
 * @param retry the retry settings
 * @param circuitBreaker the breaker settings and state
 * @param bulkhead whether the bulkhead is on
 * @param rateLimiter whether the rate limiter is on
 * @param inFlight calls started and not closed
 * @param calls calls started since start (logical calls, retries not counted)
 * @param failures calls that ended with a status other than OK
 * @param pods every pod of a stateful service; {@code null} (absent) for others
 * @param methods per-method overrides, on {@code /actuator/grpcclients/{name}} only
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceDescriptor(@Nullable String target, List<String> resolvedAddresses, String state,
		boolean stateful, String loadBalancingPolicy, String connect, String timeout, boolean tls,
		RetryDescriptor retry, CircuitBreakerDescriptor circuitBreaker, boolean bulkhead, boolean rateLimiter,
		long inFlight, long calls, long failures, @Nullable List<PodDescriptor> pods,
		@Nullable List<MethodOverride> methods) {

	static String format(Duration duration) {
		return duration.isZero() ? "0s" : ConfigurationViolation.format(duration);
	}

	/**
	 * Retry of a service or method.
	 *
	 * @param enabled whether failed calls are retried
	 * @param maxAttempts attempts, the first included
	 * @param backoff wait before the first retry
	 * @param maxBackoff longest wait
	 * @param retryableStatusCodes status codes retried
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record RetryDescriptor(boolean enabled, int maxAttempts, String backoff, String maxBackoff,
			List<String> retryableStatusCodes) {

		static RetryDescriptor of(RetrySettings retry) {
			return new RetryDescriptor(retry.enabled(), retry.maxAttempts(), format(retry.backoff()),
					format(retry.maxBackoff()),
					retry.retryableStatusCodes().stream().map(Enum::name).sorted().toList());
		}

	}

	/**
	 * Circuit breaker of a service.
	 *
	 * @param enabled whether calls pass a breaker
	 * @param state the breaker's state now ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...);
	 * absent for a stateful service (each pod has its own) or when there is none
	 * @param failureRateThreshold failure rate in percent that opens it
	 * @param slidingWindowSize calls the rate is computed over
	 * @param minimumNumberOfCalls calls needed before the rate counts
	 * @param waitDurationInOpenState time open before probes
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record CircuitBreakerDescriptor(boolean enabled, @Nullable String state, float failureRateThreshold,
			int slidingWindowSize, int minimumNumberOfCalls, String waitDurationInOpenState) {

		static CircuitBreakerDescriptor of(CircuitBreakerSettings settings, @Nullable String state) {
			return new CircuitBreakerDescriptor(settings.enabled(), state, settings.failureRateThreshold(),
					settings.slidingWindowSize(), settings.minimumNumberOfCalls(),
					format(settings.waitDurationInOpenState()));
		}

	}

	/**
	 * The overrides of one method.
	 *
	 * @param name full method name
	 * @param timeout its deadline, or absent to take the service's
	 * @param retry its retry, or absent to take the service's
	 * @param hedging whether it is hedged, or absent to take the service's
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record MethodOverride(String name, @Nullable String timeout, @Nullable RetryDescriptor retry,
			@Nullable Boolean hedging) {

		static MethodOverride of(MethodSettings method) {
			return new MethodOverride(method.name(), (method.timeout() != null) ? format(method.timeout()) : null,
					(method.retry() != null) ? RetryDescriptor.of(method.retry()) : null,
					(method.hedging() != null) ? method.hedging().enabled() : null);
		}

	}

}
