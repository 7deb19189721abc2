package io.github.rpcclient.route;

/**
 * Told when a pod of a stateful service of this application leaves the pod registry (for example
 * to drop its per-pod circuit breaker {@code service#index}). Any bean of this type is notified.
 */
@FunctionalInterface
public interface PodLifecycleListener {

	/**
	 * A pod left the registry; calls are no longer routed to it.
	 * @param service the service name
	 * @param index the pod index
	 */
	void podRemoved(String service, int index);

}
