package io.github.rpcclient.route;

/**
 * Redis, where links and the pod registry live, is down or did not answer within
 * {@code grpc-clients.routing.command-timeout}. A call that needed it fails with UNAVAILABLE; links
 * already in the near cache keep being served.
 */
public class RouteStoreUnavailableException extends RuntimeException {

	/**
	 * Creates the exception.
	 * @param message what could not be done
	 * @param cause the Redis failure
	 */
	public RouteStoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
