package io.github.rpcclient.properties;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import io.grpc.Status;

/**
 * Circuit breaker guarding a service: after too many failures it fails calls at once, without
 * touching the network, until a wait has passed.
 */
public class CircuitBreakerProperties {

	/**
	 * Whether calls pass a circuit breaker.
	 */
	private boolean enabled = true;

	/**
	 * Failure rate, in percent, at or above which the breaker opens.
	 */
	private float failureRateThreshold = 50;

	/**
	 * Number of most recent calls the failure and slow-call rates are computed over. Large enough
	 * that a steady failure rate well below the threshold does not open the breaker by chance.
	 */
	private int slidingWindowSize = 100;

	/**
	 * Calls needed in the window before the rates are evaluated; also the fewest failed calls that
	 * open a breaker whose window is empty (at start-up, and after it closes again).
	 */
	private int minimumNumberOfCalls = 50;

	/**
	 * Time the breaker stays open before it lets probe calls through.
	 */
	private Duration waitDurationInOpenState = Duration.ofSeconds(10);

	/**
	 * Probe calls let through while half-open.
	 */
	private int permittedNumberOfCallsInHalfOpenState = 3;

	/**
	 * Percentage of slow calls at or above which the breaker opens. Only unary calls can be slow.
	 */
	private float slowCallRateThreshold = 100;

	/**
	 * Duration above which a unary call counts as slow. Streams (client, server and bidi) are
	 * judged by their status only, never by how long they last.
	 */
	private Duration slowCallDurationThreshold = Duration.ofSeconds(60);

	/**
	 * Status codes counted as failures. Every other code counts as a success, and a cancellation
	 * by the caller is not counted at all. Default UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL,
	 * UNKNOWN and RESOURCE_EXHAUSTED.
	 */
	private Set<Status.Code> recordedStatusCodes = EnumSet.of(Status.Code.UNAVAILABLE,
			Status.Code.DEADLINE_EXCEEDED, Status.Code.INTERNAL, Status.Code.UNKNOWN,
			Status.Code.RESOURCE_EXHAUSTED);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public float getFailureRateThreshold() {
		return this.failureRateThreshold;
	}

	public void setFailureRateThreshold(float failureRateThreshold) {
		this.failureRateThreshold = failureRateThreshold;
	}

	public int getSlidingWindowSize() {
		return this.slidingWindowSize;
	}

	public void setSlidingWindowSize(int slidingWindowSize) {
		this.slidingWindowSize = slidingWindowSize;
	}

	public int getMinimumNumberOfCalls() {
		return this.minimumNumberOfCalls;
	}

	public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
		this.minimumNumberOfCalls = minimumNumberOfCalls;
	}

	public Duration getWaitDurationInOpenState() {
		return this.waitDurationInOpenState;
	}

	public void setWaitDurationInOpenState(Duration waitDurationInOpenState) {
		this.waitDurationInOpenState = waitDurationInOpenState;
	}

	public int getPermittedNumberOfCallsInHalfOpenState() {
		return this.permittedNumberOfCallsInHalfOpenState;
	}

	public void setPermittedNumberOfCallsInHalfOpenState(int permittedNumberOfCallsInHalfOpenState) {
		this.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState;
	}

	public float getSlowCallRateThreshold() {
		return this.slowCallRateThreshold;
	}

	public void setSlowCallRateThreshold(float slowCallRateThreshold) {
		this.slowCallRateThreshold = slowCallRateThreshold;
	}

	public Duration getSlowCallDurationThreshold() {
		return this.slowCallDurationThreshold;
	}

	public void setSlowCallDurationThreshold(Duration slowCallDurationThreshold) {
		this.slowCallDurationThreshold = slowCallDurationThreshold;
	}

	public Set<Status.Code> getRecordedStatusCodes() {
		return this.recordedStatusCodes;
	}

	public void setRecordedStatusCodes(Set<Status.Code> recordedStatusCodes) {
		this.recordedStatusCodes = recordedStatusCodes;
	}

}
