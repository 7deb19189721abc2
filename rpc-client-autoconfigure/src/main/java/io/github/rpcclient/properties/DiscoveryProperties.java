package io.github.rpcclient.properties;

import java.time.Duration;

/**
 * {@code discovery:///service-id} addresses: {@code grpc-clients.discovery.*}. They are resolved
 * through Spring Cloud's {@code DiscoveryClient} when the application has spring-cloud-commons.
 */
public class DiscoveryProperties {

	/**
	 * How often the instances of each discovery:/// service are re-read from the DiscoveryClient
	 * without being asked. They are also re-read at once on Spring Cloud's HeartbeatEvent (which
	 * the Kubernetes, Consul and Eureka clients publish when the catalog changes) and when a call
	 * fails with UNAVAILABLE (at most once a second).
	 */
	private Duration refreshInterval = Duration.ofSeconds(30);

	public Duration getRefreshInterval() {
		return this.refreshInterval;
	}

	public void setRefreshInterval(Duration refreshInterval) {
		this.refreshInterval = refreshInterval;
	}

}
