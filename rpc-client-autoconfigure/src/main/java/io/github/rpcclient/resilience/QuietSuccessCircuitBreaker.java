package io.github.rpcclient.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnCallNotPermittedEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnErrorEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnFailureRateExceededEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnIgnoredErrorEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnResetEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnSlowCallRateExceededEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnSuccessEvent;
import io.github.resilience4j.core.EventConsumer;

/**
 * A Resilience4j circuit breaker (its own state machine, unchanged) whose catch-all event
 * consumers ({@link EventPublisher#onEvent}) receive every event but successes. Such consumers are
 * what {@code resilience4j-spring-boot3} registers for {@code /actuator/circuitbreakerevents}: a
 * ring of the last 100 events behind a lock, which a gRPC service fills with successes within
 * milliseconds, so every successful call took that lock and pushed the errors and state
 * transitions out of sight. Consumers registered for successes explicitly
 * ({@link EventPublisher#onSuccess}, as Resilience4j's Micrometer metrics do) still receive them.
 */
final class QuietSuccessCircuitBreaker implements CircuitBreaker {

	private final CircuitBreaker delegate;

	private final EventPublisher events;

	QuietSuccessCircuitBreaker(CircuitBreaker delegate) {
		this.delegate = delegate;
		this.events = new QuietSuccessEventPublisher(delegate.getEventPublisher());
	}

	@Override
	public boolean tryAcquirePermission() {
		return this.delegate.tryAcquirePermission();
	}

	@Override
	public void releasePermission() {
		this.delegate.releasePermission();
	}

	@Override
	public void acquirePermission() {
		this.delegate.acquirePermission();
	}

	@Override
	public void onError(long duration, TimeUnit durationUnit, Throwable throwable) {
		this.delegate.onError(duration, durationUnit, throwable);
	}

	@Override
	public void onSuccess(long duration, TimeUnit durationUnit) {
		this.delegate.onSuccess(duration, durationUnit);
	}

	@Override
	public void onResult(long duration, TimeUnit durationUnit, Object result) {
		this.delegate.onResult(duration, durationUnit, result);
	}

	@Override
	public void reset() {
		this.delegate.reset();
	}

	@Override
	public void transitionToClosedState() {
		this.delegate.transitionToClosedState();
	}

	@Override
	public void transitionToOpenState() {
		this.delegate.transitionToOpenState();
	}

	@Override
	public void transitionToOpenStateFor(Duration waitDuration) {
		this.delegate.transitionToOpenStateFor(waitDuration);
	}

	@Override
	public void transitionToOpenStateUntil(Instant waitUntil) {
		this.delegate.transitionToOpenStateUntil(waitUntil);
	}

	@Override
	public void transitionToHalfOpenState() {
		this.delegate.transitionToHalfOpenState();
	}

	@Override
	public void transitionToDisabledState() {
		this.delegate.transitionToDisabledState();
	}

	@Override
	public void transitionToMetricsOnlyState() {
		this.delegate.transitionToMetricsOnlyState();
	}

	@Override
	public void transitionToForcedOpenState() {
		this.delegate.transitionToForcedOpenState();
	}

	@Override
	public String getName() {
		return this.delegate.getName();
	}

	@Override
	public State getState() {
		return this.delegate.getState();
	}

	@Override
	public CircuitBreakerConfig getCircuitBreakerConfig() {
		return this.delegate.getCircuitBreakerConfig();
	}

	@Override
	public Metrics getMetrics() {
		return this.delegate.getMetrics();
	}

	@Override
	public Map<String, String> getTags() {
		return this.delegate.getTags();
	}

	@Override
	public EventPublisher getEventPublisher() {
		return this.events;
	}

	@Override
	public long getCurrentTimestamp() {
		return this.delegate.getCurrentTimestamp();
	}

	@Override
	public TimeUnit getTimestampUnit() {
		return this.delegate.getTimestampUnit();
	}

	@Override
	public String toString() {
		return this.delegate.toString();
	}

	/** Registers catch-all consumers for every event type but success. */
	private static final class QuietSuccessEventPublisher implements EventPublisher {

		private final EventPublisher delegate;

		QuietSuccessEventPublisher(EventPublisher delegate) {
			this.delegate = delegate;
		}

		@Override
		public void onEvent(EventConsumer<CircuitBreakerEvent> consumer) {
			this.delegate.onError(consumer::consumeEvent)
				.onIgnoredError(consumer::consumeEvent)
				.onCallNotPermitted(consumer::consumeEvent)
				.onStateTransition(consumer::consumeEvent)
				.onReset(consumer::consumeEvent)
				.onFailureRateExceeded(consumer::consumeEvent)
				.onSlowCallRateExceeded(consumer::consumeEvent);
		}

		@Override
		public EventPublisher onSuccess(EventConsumer<CircuitBreakerOnSuccessEvent> consumer) {
			this.delegate.onSuccess(consumer);
			return this;
		}

		@Override
		public EventPublisher onError(EventConsumer<CircuitBreakerOnErrorEvent> consumer) {
			this.delegate.onError(consumer);
			return this;
		}

		@Override
		public EventPublisher onStateTransition(EventConsumer<CircuitBreakerOnStateTransitionEvent> consumer) {
			this.delegate.onStateTransition(consumer);
			return this;
		}

		@Override
		public EventPublisher onReset(EventConsumer<CircuitBreakerOnResetEvent> consumer) {
			this.delegate.onReset(consumer);
			return this;
		}

		@Override
		public EventPublisher onIgnoredError(EventConsumer<CircuitBreakerOnIgnoredErrorEvent> consumer) {
			this.delegate.onIgnoredError(consumer);
			return this;
		}

		@Override
		public EventPublisher onCallNotPermitted(EventConsumer<CircuitBreakerOnCallNotPermittedEvent> consumer) {
			this.delegate.onCallNotPermitted(consumer);
			return this;
		}

		@Override
		public EventPublisher onFailureRateExceeded(EventConsumer<CircuitBreakerOnFailureRateExceededEvent> consumer) {
			this.delegate.onFailureRateExceeded(consumer);
			return this;
		}

		@Override
		public EventPublisher onSlowCallRateExceeded(
				EventConsumer<CircuitBreakerOnSlowCallRateExceededEvent> consumer) {
			this.delegate.onSlowCallRateExceeded(consumer);
			return this;
		}

	}

}
