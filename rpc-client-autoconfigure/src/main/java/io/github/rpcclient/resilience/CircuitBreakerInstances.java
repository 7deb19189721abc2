package io.github.rpcclient.resilience;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.common.circuitbreaker.configuration.CommonCircuitBreakerConfigurationProperties.InstanceProperties;
import io.github.resilience4j.common.circuitbreaker.configuration.CommonCircuitBreakerConfigurationProperties;
import io.github.rpcclient.settings.CircuitBreakerSettings;

import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.lang.Nullable;

/**
 * Creates the Resilience4j {@link CircuitBreaker} instances of gRPC services in the application's
 * {@link CircuitBreakerRegistry}, so Resilience4j's actuator endpoints, health and metrics show them.
 * A service's breaker is named after the service; a stateful service has one per pod, named
 * {@code service#pod}.
 * <p>
 * An instance is built from the {@code grpc-clients} circuit-breaker settings of its service;
 * then every key set under {@code resilience4j.circuitbreaker.instances.<name>} replaces the
 * matching setting (failure and slow-call thresholds, sliding window size and type, minimum number
 * of calls, wait in open state, half-open calls and wait, automatic transition). Which status codes
 * count as failures always comes from {@code grpc-clients}.
 * <p>
 * Successful calls are not published to catch-all event consumers (see
 * {@link QuietSuccessCircuitBreaker}): {@code /actuator/circuitbreakerevents} shows errors,
 * refusals and state transitions.
 */
public class CircuitBreakerInstances {

	private final CircuitBreakerRegistry registry;

	@Nullable
	private final CommonCircuitBreakerConfigurationProperties resilience4jProperties;

	private final Map<String, Map<Integer, CircuitBreaker>> podBreakers = new ConcurrentHashMap<>();

	/**
	 * Creates the factory.
	 * @param registry the registry to create the instances in
	 * @param resilience4jProperties the {@code resilience4j.circuitbreaker} settings, if any
	 */
	public CircuitBreakerInstances(CircuitBreakerRegistry registry,
			@Nullable CommonCircuitBreakerConfigurationProperties resilience4jProperties) {
		this.registry = registry;
		this.resilience4jProperties = resilience4jProperties;
	}

	/**
	 * Creates or replaces the breaker of a name.
	 * @param name the breaker name
	 * @param settings the {@code grpc-clients} settings
	 * @return the breaker
	 */
	public CircuitBreaker create(String name, CircuitBreakerSettings settings) {
		CircuitBreakerConfig config = config(name, settings);
		CircuitBreaker breaker = new QuietSuccessCircuitBreaker(
				CircuitBreaker.of(name, config, this.registry.getTags()));
		if (this.registry.find(name).isEmpty()) {
			// the registry only takes instances it creates; this one is replaced at once, so the
			// registry's consumers (actuator events, metrics) are registered on the breaker used
			this.registry.circuitBreaker(name, config);
		}
		this.registry.replace(name, breaker);
		return breaker;
	}

	/**
	 * Returns the breakers of a stateful service's pods, by pod index, created on first use.
	 * @param service the service name
	 * @return the live map
	 */
	Map<Integer, CircuitBreaker> podBreakers(String service) {
		return this.podBreakers.computeIfAbsent(service, (name) -> new ConcurrentHashMap<>());
	}

	/**
	 * Drops the breaker of a pod that left a stateful service, from the registry too.
	 * @param service the service name
	 * @param pod the pod index
	 */
	public void removePodBreaker(String service, int pod) {
		Map<Integer, CircuitBreaker> breakers = this.podBreakers.get(service);
		if (breakers != null) {
			breakers.remove(pod);
		}
		this.registry.remove(podBreakerName(service, pod));
	}

	static String podBreakerName(String service, int pod) {
		return service + "#" + pod;
	}

	CircuitBreakerConfig config(String name, CircuitBreakerSettings settings) {
		CircuitBreakerConfig.Builder builder = CircuitBreakerConfig.custom()
			.failureRateThreshold(settings.failureRateThreshold())
			.slidingWindowSize(settings.slidingWindowSize())
			.minimumNumberOfCalls(settings.minimumNumberOfCalls())
			.waitDurationInOpenState(settings.waitDurationInOpenState())
			.permittedNumberOfCallsInHalfOpenState(settings.permittedNumberOfCallsInHalfOpenState())
			.slowCallRateThreshold(settings.slowCallRateThreshold())
			.slowCallDurationThreshold(settings.slowCallDurationThreshold())
			// Every attempt records its outcome: keep that off any lock.
			.slidingWindowSynchronizationStrategy(SlidingWindowSynchronizationStrategy.LOCK_FREE)
			.writableStackTraceEnabled(false);
		InstanceProperties instance = (this.resilience4jProperties != null)
				? this.resilience4jProperties.getInstances().get(name) : null;
		if (instance != null) {
			override(builder, instance);
		}
		return builder.build();
	}

	private static void override(CircuitBreakerConfig.Builder builder, InstanceProperties instance) {
		PropertyMapper map = PropertyMapper.get().alwaysApplyingWhenNonNull();
		map.from(instance::getFailureRateThreshold).to(builder::failureRateThreshold);
		map.from(instance::getSlowCallRateThreshold).to(builder::slowCallRateThreshold);
		map.from(instance::getSlowCallDurationThreshold).to(builder::slowCallDurationThreshold);
		map.from(instance::getSlidingWindowType).to(builder::slidingWindowType);
		map.from(instance::getSlidingWindowSize).to(builder::slidingWindowSize);
		map.from(instance::getMinimumNumberOfCalls).to(builder::minimumNumberOfCalls);
		map.from(instance::getWaitDurationInOpenState).to(builder::waitDurationInOpenState);
		map.from(instance::getPermittedNumberOfCallsInHalfOpenState).to(builder::permittedNumberOfCallsInHalfOpenState);
		map.from(instance::getMaxWaitDurationInHalfOpenState).to(builder::maxWaitDurationInHalfOpenState);
		map.from(instance::getAutomaticTransitionFromOpenToHalfOpenEnabled)
			.to(builder::automaticTransitionFromOpenToHalfOpenEnabled);
	}

}
