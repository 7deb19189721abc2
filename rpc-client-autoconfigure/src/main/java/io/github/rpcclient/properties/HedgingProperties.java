package io.github.rpcclient.properties;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import io.grpc.Status;

/**
 * Hedging of calls (gRFC A6, the "backup requests" of other frameworks): the first attempt is sent
 * at once and, while no response has come, another after each {@code delay}, up to
 * {@code max-attempts} in all; the first response wins and the other attempts are cancelled. Set
 * for a service, it applies to its idempotent and side-effect-free methods (proto
 * {@code idempotency_level}), which are then hedged instead of retried; set for one method
 * ({@code methods[].hedging}), it applies to that method whatever its idempotency. A method cannot
 * be both retried and hedged. Hedged attempts after the first draw on the retry budget. Only unary
 * and server-streaming calls are hedged.
 */
public class HedgingProperties {

	/**
	 * Whether calls are hedged.
	 */
	private boolean enabled;

	/**
	 * Attempts at most, the first included (2 to 5).
	 */
	private int maxAttempts = 2;

	/**
	 * Wait before each further attempt while no response has come. Around the method's usual
	 * 95th-percentile latency is a common choice.
	 */
	private Duration delay = Duration.ofMillis(100);

	/**
	 * Status codes with which a failed attempt lets the others run and brings the next one forward;
	 * any other status ends the call at once. Default UNAVAILABLE.
	 */
	private Set<Status.Code> nonFatalStatusCodes = EnumSet.of(Status.Code.UNAVAILABLE);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getMaxAttempts() {
		return this.maxAttempts;
	}

	public void setMaxAttempts(int maxAttempts) {
		this.maxAttempts = maxAttempts;
	}

	public Duration getDelay() {
		return this.delay;
	}

	public void setDelay(Duration delay) {
		this.delay = delay;
	}

	public Set<Status.Code> getNonFatalStatusCodes() {
		return this.nonFatalStatusCodes;
	}

	public void setNonFatalStatusCodes(Set<Status.Code> nonFatalStatusCodes) {
		this.nonFatalStatusCodes = nonFatalStatusCodes;
	}

}
