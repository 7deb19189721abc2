package io.github.rpcclient.properties;

import java.time.Duration;

/**
 * HTTP/2 keepalive pings that detect broken connections. The server must permit the chosen
 * interval: grpc-java and grpc-go servers reject pings more frequent than 5 minutes unless they
 * set {@code permitKeepAliveTime}, so the default is 5 minutes.
 */
public class KeepaliveProperties {

	/**
	 * Interval between keepalive pings. Zero switches pings off.
	 */
	private Duration time = Duration.ofMinutes(5);

	/**
	 * Time to wait for a ping acknowledgement before the connection is considered dead.
	 */
	private Duration timeout = Duration.ofSeconds(20);

	/**
	 * Whether to ping while no call is in flight.
	 */
	private boolean withoutCalls = false;

	public Duration getTime() {
		return this.time;
	}

	public void setTime(Duration time) {
		this.time = time;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public boolean isWithoutCalls() {
		return this.withoutCalls;
	}

	public void setWithoutCalls(boolean withoutCalls) {
		this.withoutCalls = withoutCalls;
	}

}
