package io.github.rpcclient.route;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes links between users and pods to Redis with one atomic script: a user keeps a link to an
 * available pod, and gets the proposed pod otherwise, so that any number of clients racing for one
 * user end with one pod. A new link is counted on its pod (an approximate figure used to break
 * ties between equally loaded pods).
 */
final class LinkWriter {

	private static final Logger logger = LoggerFactory.getLogger(LinkWriter.class);

	private final RouteStore store;

	private final PodRegistry registry;

	private final RouteKeys keys;

	private final Duration linkTtl;

	private final byte[] linkTtlMillis;

	LinkWriter(RouteStore store, PodRegistry registry, RouteKeys keys, Duration linkTtl) {
		this.store = store;
		this.registry = registry;
		this.keys = keys;
		this.linkTtl = linkTtl;
		this.linkTtlMillis = RouteKeys.bytes(linkTtl.toMillis());
	}

	/**
	 * Links a user to a pod unless it is linked to an available pod already, and refreshes the
	 * link's TTL.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @param pod the pod to link to, or 0 to only keep an existing link
	 * @return the pod the user is linked to now, or 0 for none
	 */
	int linkIfAbsent(String namespace, String uid, String service, int pod) {
		byte[][] available = this.registry.availablePodArguments(namespace, service);
		byte[][] args = new byte[3 + available.length][];
		args[0] = RouteKeys.bytes(service);
		args[1] = RouteKeys.bytes(pod);
		args[2] = this.linkTtlMillis;
		System.arraycopy(available, 0, args, 3, available.length);
		List<Long> reply = this.store.eval(RouteScript.SET_LINK_IF_ABSENT, new byte[][] { this.keys.link(namespace, uid) },
				args);
		int linked = reply.get(0).intValue();
		if (reply.get(1) == 1L) {
			countLink(namespace, service, linked, reply.get(2).intValue());
		}
		return linked;
	}

	private void countLink(String namespace, String service, int pod, int previous) {
		this.registry.linked(namespace, service, pod);
		try {
			this.store.increment(this.keys.podLinks(namespace, service), RouteKeys.bytes(pod), 1,
					(previous > 0) ? RouteKeys.bytes(previous) : null, -1, this.linkTtl);
		}
		catch (RouteStoreUnavailableException ex) {
			logger.debug("Link count of pod {} of '{}' not updated: {}", pod, service, ex.getMessage());
		}
	}

}
