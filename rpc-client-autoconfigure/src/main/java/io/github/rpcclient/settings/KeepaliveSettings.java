package io.github.rpcclient.settings;

import java.time.Duration;

/**
 * HTTP/2 keepalive pings of a service's connections.
 *
 * @param time interval between pings; zero switches them off
 * @param timeout wait for a ping acknowledgement before the connection counts as dead
 * @param withoutCalls whether to ping while no call is in flight
 */
public record KeepaliveSettings(Duration time, Duration timeout, boolean withoutCalls) {

	/**
	 * @return whether pings are sent at all
	 */
	public boolean enabled() {
		return !this.time.isZero();
	}

}
