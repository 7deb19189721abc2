package io.github.rpcclient.properties;

import java.time.Duration;

import org.springframework.lang.Nullable;

/**
 * Stateful routing: {@code grpc-clients.routing.*}. Links between users and pods live in Redis;
 * these settings say where, for how long, and how the pod registry is kept.
 */
public class RoutingProperties {

	/**
	 * Namespace of this application. Links are written only here; other namespaces can be read.
	 * Must not contain '{' or '}' (Redis Cluster hash-tag braces).
	 */
	private String namespace = "default";

	/**
	 * How long a link between a user and a pod lives in Redis without use. Every link computed
	 * from Redis refreshes it.
	 */
	private Duration linkTtl = Duration.ofSeconds(300);

	/**
	 * How long a link stays in the local near cache. Must be shorter than 'link-ttl' so that a
	 * user in use refreshes the link in Redis before it expires. Default: 'link-ttl' minus 60s
	 * (half of 'link-ttl' when that is 60s or less).
	 */
	@Nullable
	private Duration nearCacheTtl;

	/**
	 * Most links the local near cache holds.
	 */
	private long nearCacheMaxSize = 100_000;

	/**
	 * Longest wait for one Redis command; a Redis that is slower or down fails the route lookup
	 * with a RouteStoreUnavailableException (UNAVAILABLE on a call).
	 */
	private Duration commandTimeout = Duration.ofSeconds(1);

	/**
	 * Prefix of every Redis key: '{prefix}:link:{ns:uid}', '{prefix}:pods:{ns:service}',
	 * '{prefix}:podlinks:{ns:service}', with '%', ':', '{' and '}' in names percent-encoded.
	 * Must not contain '{' or '}'.
	 */
	private String keyPrefix = "rpc";

	/**
	 * How long a pod published in Redis counts as alive after its last heartbeat; then it is DOWN.
	 */
	private Duration heartbeatTtl = Duration.ofSeconds(15);

	/**
	 * How often the client re-reads the pod registry from Redis.
	 */
	private Duration registryRefresh = Duration.ofSeconds(2);

	/**
	 * How long, once Redis answers again after an outage (or is found to have lost its data), a
	 * pod that was alive before keeps its linked users without a new heartbeat. Until its
	 * publisher beats again it counts as unverified, not DOWN, and takes new users only if no
	 * verified pod can. Must cover the publishers' reconnect delay (Lettuce's default backoff
	 * grows to 30s) plus one heartbeat; a pod that really died in the outage keeps its users that
	 * long. Default: 'heartbeat-ttl' plus 30s.
	 */
	@Nullable
	private Duration reconnectGrace;

	/**
	 * How long after its last heartbeat a pod is deleted from the Redis registry (by the next
	 * publishing pod), so that clients drop its channel and circuit breaker.
	 */
	private Duration podRemovalAfter = Duration.ofMinutes(10);

	/**
	 * Publishing this application as a pod of a stateful service (backend side).
	 */
	private final Publish publish = new Publish();

	public String getNamespace() {
		return this.namespace;
	}

	public void setNamespace(String namespace) {
		this.namespace = namespace;
	}

	public Duration getLinkTtl() {
		return this.linkTtl;
	}

	public void setLinkTtl(Duration linkTtl) {
		this.linkTtl = linkTtl;
	}

	@Nullable
	public Duration getNearCacheTtl() {
		return this.nearCacheTtl;
	}

	public void setNearCacheTtl(@Nullable Duration nearCacheTtl) {
		this.nearCacheTtl = nearCacheTtl;
	}

	public long getNearCacheMaxSize() {
		return this.nearCacheMaxSize;
	}

	public void setNearCacheMaxSize(long nearCacheMaxSize) {
		this.nearCacheMaxSize = nearCacheMaxSize;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public Duration getHeartbeatTtl() {
		return this.heartbeatTtl;
	}

	public void setHeartbeatTtl(Duration heartbeatTtl) {
		this.heartbeatTtl = heartbeatTtl;
	}

	public Duration getRegistryRefresh() {
		return this.registryRefresh;
	}

	public void setRegistryRefresh(Duration registryRefresh) {
		this.registryRefresh = registryRefresh;
	}

	@Nullable
	public Duration getReconnectGrace() {
		return this.reconnectGrace;
	}

	public void setReconnectGrace(@Nullable Duration reconnectGrace) {
		this.reconnectGrace = reconnectGrace;
	}

	public Duration getPodRemovalAfter() {
		return this.podRemovalAfter;
	}

	public void setPodRemovalAfter(Duration podRemovalAfter) {
		this.podRemovalAfter = podRemovalAfter;
	}

	public Publish getPublish() {
		return this.publish;
	}

	/**
	 * {@code grpc-clients.routing.publish.*}: a backend pod announcing itself.
	 */
	public static class Publish {

		/**
		 * Whether this application publishes itself as a pod with a heartbeat.
		 */
		private boolean enabled = false;

		/**
		 * Name of the stateful service this pod belongs to, as clients configure it.
		 */
		@Nullable
		private String service;

		/**
		 * Index of this pod, 1 or more, unique within the service (a StatefulSet ordinal + 1, say).
		 */
		private int index;

		/**
		 * Address clients reach this pod at, such as '10.0.0.12:9090'.
		 */
		@Nullable
		private String address;

		/**
		 * How often the heartbeat is written. Default: a third of 'heartbeat-ttl'.
		 */
		@Nullable
		private Duration interval;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		@Nullable
		public String getService() {
			return this.service;
		}

		public void setService(@Nullable String service) {
			this.service = service;
		}

		public int getIndex() {
			return this.index;
		}

		public void setIndex(int index) {
			this.index = index;
		}

		@Nullable
		public String getAddress() {
			return this.address;
		}

		public void setAddress(@Nullable String address) {
			this.address = address;
		}

		@Nullable
		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(@Nullable Duration interval) {
			this.interval = interval;
		}

	}

}
