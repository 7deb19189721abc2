package io.github.rpcclient.channel;

/**
 * What a service's calls have done since start, counted at the top of its chain (logical calls,
 * whatever their retries). Read without locks.
 */
public interface CallCounts {

	/** @return calls started and not yet closed */
	long inFlight();

	/** @return calls started since the service was registered */
	long started();

	/** @return calls that closed with a status other than OK */
	long failed();

}
