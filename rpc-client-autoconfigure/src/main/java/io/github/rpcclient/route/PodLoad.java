package io.github.rpcclient.route;

/**
 * The load figure a backend pod publishes with its heartbeat (sessions held, CPU, ...); clients
 * link new users to the routable pod with the lowest. Define a bean of this type to publish one;
 * without it pods publish 0 and ties are broken by link counts.
 */
@FunctionalInterface
public interface PodLoad {

	/**
	 * @return the current load, lower is better
	 */
	double current();

}
