package io.github.rpcclient.settings;

import java.time.Duration;

import org.springframework.lang.Nullable;

/**
 * Resolved stateful-routing settings ({@code grpc-clients.routing.*}): where links between users
 * and pods live in Redis, for how long, and how the pod registry is kept.
 *
 * @param namespace namespace of this application; links are written only here
 * @param linkTtl how long a link lives in Redis without use
 * @param nearCacheTtl how long a link stays in the local near cache, shorter than the link TTL
 * @param nearCacheMaxSize most links the near cache holds
 * @param commandTimeout longest wait for one Redis command
 * @param keyPrefix prefix of every Redis key
 * @param heartbeatTtl how long a published pod counts as alive after its last heartbeat
 * @param registryRefresh how often the pod registry is re-read
 * @param reconnectGrace how long after Redis answers again a pod alive before the outage keeps its
 * users without a new heartbeat
 * @param podRemovalAfter how long after its last heartbeat a pod is deleted from the registry
 * @param publish this application's own pod, or {@code null} if it does not publish one
 */
public record RoutingSettings(String namespace, Duration linkTtl, Duration nearCacheTtl, long nearCacheMaxSize,
		Duration commandTimeout, String keyPrefix, Duration heartbeatTtl, Duration registryRefresh,
		Duration reconnectGrace, Duration podRemovalAfter, @Nullable Publish publish) {

	/**
	 * The pod this application publishes with a heartbeat.
	 *
	 * @param service name of the stateful service the pod belongs to
	 * @param index the pod index, 1 or more
	 * @param address the address clients reach the pod at
	 * @param interval how often the heartbeat is written
	 */
	public record Publish(String service, int index, String address, Duration interval) {
	}

}
