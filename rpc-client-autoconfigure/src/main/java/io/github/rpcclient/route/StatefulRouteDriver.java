package io.github.rpcclient.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.github.rpcclient.settings.RouteArguments;
import io.github.rpcclient.settings.RoutingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links users to pods of stateful services (the seed's client driver): the link lives in Redis,
 * shared by every client instance, and in a local near cache that expires before Redis does, so
 * that a user in use refreshes the Redis TTL. Writes happen only in the local namespace
 * ({@code grpc-clients.routing.namespace}); reads work in any.
 * <p>
 * Every operation checks its arguments first: blank or over-long (&gt; 256) names, control
 * characters and pod indexes below 1 get an {@link IllegalArgumentException} naming the parameter.
 * Redis failures surface as {@link RouteStoreUnavailableException} within
 * {@code command-timeout}.
 */
public class StatefulRouteDriver {

	private static final Logger logger = LoggerFactory.getLogger(StatefulRouteDriver.class);

	private final RouteStore store;

	private final PodRegistry registry;

	private final RouteKeys keys;

	private final LinkWriter links;

	private final String localNamespace;

	private final Cache<LinkKey, Integer> nearCache;

	/**
	 * Creates the driver.
	 * @param store the Redis the links live in
	 * @param registry the pods of each service
	 * @param settings the routing settings
	 */
	public StatefulRouteDriver(RouteStore store, PodRegistry registry, RoutingSettings settings) {
		this.store = store;
		this.registry = registry;
		this.keys = new RouteKeys(settings.keyPrefix());
		this.links = new LinkWriter(store, registry, this.keys, settings.linkTtl());
		this.localNamespace = settings.namespace();
		this.nearCache = Caffeine.newBuilder()
			.expireAfterWrite(settings.nearCacheTtl())
			.maximumSize(settings.nearCacheMaxSize())
			.recordStats()
			.build();
	}

	/**
	 * @return the near cache of links (for its metrics)
	 */
	public Cache<?, ?> nearCache() {
		return this.nearCache;
	}

	/**
	 * Returns the pod a user's calls to a service go to, linking the user to the best routable pod
	 * if it has no link or its pod is gone. A linked pod that is DRAINING keeps its user. In another
	 * namespace than the local one, only an existing link to an available pod is returned.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @return the pod, or empty if no pod can take the user
	 * @throws RouteStoreUnavailableException if Redis was needed and did not answer
	 */
	public OptionalInt computeLinkedPod(String namespace, String uid, String service) {
		LinkKey key = key(namespace, uid, service);
		Integer cached = this.nearCache.getIfPresent(key);
		if (cached != null) {
			if (this.registry.isAvailable(namespace, service, cached)) {
				return OptionalInt.of(cached);
			}
			logger.debug("Pod {} of '{}' linked to user '{}' is not available any more", cached, service, uid);
			this.nearCache.invalidate(key);
		}
		if (!namespace.equals(this.localNamespace)) {
			OptionalInt linked = getLinkedPodNotCache(namespace, uid, service);
			return (linked.isPresent() && this.registry.isAvailable(namespace, service, linked.getAsInt())) ? linked
					: OptionalInt.empty();
		}
		int linked = link(key, this.registry.bestPod(namespace, service).orElse(0));
		return (linked > 0 && this.registry.isAvailable(namespace, service, linked)) ? OptionalInt.of(linked)
				: OptionalInt.empty();
	}

	/**
	 * Returns a user's pod for a service from the near cache, else from Redis.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @return the linked pod, or empty
	 */
	public OptionalInt getLinkedPod(String namespace, String uid, String service) {
		OptionalInt cached = getLinkedInCache(namespace, uid, service);
		return cached.isPresent() ? cached : getLinkedPodNotCache(namespace, uid, service);
	}

	/**
	 * Returns a user's pod for a service from the near cache, else from Redis, caching what Redis
	 * holds.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @return the linked pod, or empty
	 */
	public OptionalInt getLinkedPodInCacheOrIfPersist(String namespace, String uid, String service) {
		OptionalInt cached = getLinkedInCache(namespace, uid, service);
		if (cached.isPresent()) {
			return cached;
		}
		OptionalInt persisted = getLinkedPodNotCache(namespace, uid, service);
		persisted.ifPresent((pod) -> this.nearCache.put(key(namespace, uid, service), pod));
		return persisted;
	}

	/**
	 * Returns a user's pod for a service from Redis, bypassing the near cache.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @return the linked pod, or empty
	 */
	public OptionalInt getLinkedPodNotCache(String namespace, String uid, String service) {
		key(namespace, uid, service);
		return pod(this.store.hget(this.keys.link(namespace, uid), RouteKeys.bytes(service)));
	}

	/**
	 * Returns a user's pod for a service from the near cache only.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @return the cached pod, or empty
	 */
	public OptionalInt getLinkedInCache(String namespace, String uid, String service) {
		Integer cached = this.nearCache.getIfPresent(key(namespace, uid, service));
		return (cached != null) ? OptionalInt.of(cached) : OptionalInt.empty();
	}

	/**
	 * Drops a user's link from the near cache, so that the next computation asks Redis.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 */
	public void cacheExpired(String namespace, String uid, String service) {
		this.nearCache.invalidate(key(namespace, uid, service));
	}

	/**
	 * Puts a user's link in the near cache (not in Redis).
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @param pod the pod index
	 */
	public void setCache(String namespace, String uid, String service, int pod) {
		LinkKey key = key(namespace, uid, service);
		this.nearCache.put(key, RouteArguments.podIndex("pod", pod));
	}

	/**
	 * Returns every link of a user, with one Redis command.
	 * @param namespace the namespace
	 * @param uid the user
	 * @return pod index by service name
	 */
	public Map<String, Integer> getLinkService(String namespace, String uid) {
		RouteArguments.name("namespace", namespace);
		RouteArguments.name("uid", uid);
		Map<String, Integer> links = new TreeMap<>();
		this.store.hgetall(this.keys.link(namespace, uid)).forEach((service, pod) -> {
			OptionalInt index = pod(pod);
			if (index.isPresent()) {
				links.put(RouteKeys.string(service), index.getAsInt());
			}
		});
		return links;
	}

	/**
	 * Returns the pods of many users for a service: near-cache hits locally, the rest with one
	 * Redis round trip (one script).
	 * @param namespace the namespace
	 * @param uids the users
	 * @param service the service
	 * @return the linked users by pod index; users without a link are left out
	 */
	public Map<Integer, List<String>> batchGetLinkedPod(String namespace, Collection<String> uids, String service) {
		RouteArguments.name("namespace", namespace);
		RouteArguments.name("service", service);
		Map<Integer, List<String>> byPod = new TreeMap<>();
		List<String> missed = new ArrayList<>();
		for (String uid : uids) {
			Integer cached = this.nearCache.getIfPresent(key(namespace, uid, service));
			if (cached != null) {
				byPod.computeIfAbsent(cached, (pod) -> new ArrayList<>()).add(uid);
			}
			else {
				missed.add(uid);
			}
		}
		if (missed.isEmpty()) {
			return byPod;
		}
		byte[][] linkKeys = new byte[missed.size()][];
		for (int i = 0; i < linkKeys.length; i++) {
			linkKeys[i] = this.keys.link(namespace, missed.get(i));
		}
		List<Long> pods = this.store.hgetMany(linkKeys, RouteKeys.bytes(service));
		for (int i = 0; i < pods.size(); i++) {
			int pod = pods.get(i).intValue();
			if (pod > 0) {
				byPod.computeIfAbsent(pod, (index) -> new ArrayList<>()).add(missed.get(i));
			}
		}
		return byPod;
	}

	/**
	 * Links a user to a pod unless it is linked to an available pod already, atomically: any
	 * number of clients racing for one user end with one pod and all return it. Only in the local
	 * namespace.
	 * @param namespace the namespace, which must be the local one
	 * @param uid the user
	 * @param service the service
	 * @param pod the pod to link to if the user has no available pod
	 * @return the pod the user is linked to now
	 * @throws IllegalArgumentException if the namespace is not the local one
	 */
	public int setLinkedPodIfAbsent(String namespace, String uid, String service, int pod) {
		LinkKey key = key(namespace, uid, service);
		RouteArguments.podIndex("pod", pod);
		if (!namespace.equals(this.localNamespace)) {
			throw new IllegalArgumentException("namespace '" + namespace
					+ "' is not the local namespace: links are written only in '" + this.localNamespace + "'");
		}
		return link(key, pod);
	}

	/**
	 * @return near-cache hit and miss counts
	 */
	public CacheStats nearCacheStats() {
		return this.nearCache.stats();
	}

	/** @return the local namespace, where links are written */
	public String localNamespace() {
		return this.localNamespace;
	}

	private int link(LinkKey key, int pod) {
		int linked = this.links.linkIfAbsent(key.namespace(), key.uid(), key.service(), pod);
		if (linked > 0) {
			this.nearCache.put(key, linked);
		}
		return linked;
	}

	private static LinkKey key(String namespace, String uid, String service) {
		return new LinkKey(RouteArguments.name("namespace", namespace), RouteArguments.name("uid", uid),
				RouteArguments.name("service", service));
	}

	private static OptionalInt pod(byte[] value) {
		if (value == null) {
			return OptionalInt.empty();
		}
		try {
			int pod = Integer.parseInt(RouteKeys.string(value));
			return (pod > 0) ? OptionalInt.of(pod) : OptionalInt.empty();
		}
		catch (NumberFormatException ex) {
			return OptionalInt.empty();
		}
	}

	private record LinkKey(String namespace, String uid, String service) {
	}

}
