package io.github.rpcclient.route;

import java.time.Duration;
import java.util.List;

/**
 * Writes links between users and pods to Redis with one atomic script: a user keeps a link to an
 * available pod, and gets the proposed pod otherwise, so that any number of clients racing for one
 * user end with one pod. A new link is counted on its pod (an approximate figure used to break
 * ties between equally loaded pods), without waiting for the count to be written.
 */
final class LinkWriter {

	private final RouteStore store;

	private final PodRegistry registry;

	private final RouteKeys keys;

	private final Duration linkTtl;

	private final byte[] linkTtlMillis;

	private final byte[] channel;

	private final String clientId;

	LinkWriter(RouteStore store, PodRegistry registry, RouteKeys keys, Duration linkTtl, String clientId) {
		this.store = store;
		this.registry = registry;
		this.keys = keys;
		this.linkTtl = linkTtl;
		this.linkTtlMillis = RouteKeys.bytes(linkTtl.toMillis());
		this.channel = keys.linkChanges();
		this.clientId = clientId;
	}

	/**
	 * Links a user to a pod unless it is linked to an available pod already, and refreshes the
	 * link's TTL.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @param pod the pod to link to, or 0 to only keep an existing link
	 * @return the pod the user is linked to now (0 for none) and the link's remaining TTL
	 */
	Link linkIfAbsent(String namespace, String uid, String service, int pod) {
		byte[][] available = this.registry.availablePodArguments(namespace, service);
		byte[][] args = new byte[5 + available.length][];
		args[0] = RouteKeys.bytes(service);
		args[1] = RouteKeys.bytes(pod);
		args[2] = this.linkTtlMillis;
		args[3] = this.channel;
		args[4] = RouteKeys.bytes(LinkChange.messagePrefix(namespace, uid, service, this.clientId));
		System.arraycopy(available, 0, args, 5, available.length);
		List<Long> reply = this.store.eval(RouteScript.SET_LINK_IF_ABSENT, new byte[][] { this.keys.link(namespace, uid) },
				args);
		int linked = reply.get(0).intValue();
		if (reply.get(1) == 1L) {
			countLink(namespace, service, linked, reply.get(2).intValue());
		}
		return new Link(linked, reply.get(3));
	}

	/**
	 * A link as Redis answered it.
	 *
	 * @param pod the pod, 0 for none
	 * @param ttlMillis how long the link has left in Redis when it answered
	 */
	record Link(int pod, long ttlMillis) {
	}

	private void countLink(String namespace, String service, int pod, int previous) {
		this.registry.linked(namespace, service, pod);
		this.store.incrementInBackground(this.keys.podLinks(namespace, service), RouteKeys.bytes(pod), 1,
				(previous > 0) ? RouteKeys.bytes(previous) : null, -1, this.linkTtl);
	}

}
