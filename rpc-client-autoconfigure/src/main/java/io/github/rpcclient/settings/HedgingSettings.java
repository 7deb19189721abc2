package io.github.rpcclient.settings;

import java.time.Duration;
import java.util.Set;

import io.grpc.Status;

/**
 * How the calls of a service, or of one method, are hedged (gRFC A6): the first attempt goes at
 * once, another after each {@code delay} while no response has come, up to {@code maxAttempts} in
 * all; the first response wins and the other attempts are cancelled.
 *
 * @param enabled whether calls are hedged
 * @param maxAttempts the attempts at most, the first included
 * @param delay the wait before each further attempt
 * @param nonFatalStatusCodes the codes with which a failed attempt leaves the others running (any
 * other status ends the call)
 */
public record HedgingSettings(boolean enabled, int maxAttempts, Duration delay, Set<Status.Code> nonFatalStatusCodes) {

	/**
	 * Copies the codes into an immutable set.
	 */
	public HedgingSettings {
		nonFatalStatusCodes = Set.copyOf(nonFatalStatusCodes);
	}

}
