package io.github.rpcclient.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLongArray;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.github.rpcclient.settings.RouteArguments;
import io.github.rpcclient.settings.RoutingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links users to pods of stateful services (the seed's client driver): the link lives in Redis,
 * shared by every client instance, and in a local near cache. Writes happen only in the local
 * namespace ({@code grpc-clients.routing.namespace}); reads work in any.
 * <p>
 * One view of every link: each near-cache entry expires no later than its link in Redis (it is
 * kept for {@code near-cache-ttl} or the link's remaining TTL as Redis reported it, counted from
 * before the command was sent, whichever is shorter), and a link that replaces another is
 * announced on a Redis channel that the {@link LinkChangeSubscriber} of every client turns into
 * an invalidation of its near cache. Each (re-)subscription marks the whole near cache
 * unverified, since announcements made while it was down are lost, and so does the pod registry
 * finding that Redis lost its data without the connection dropping (a flush): an unverified entry is
 * confirmed against Redis on its next use (re-asserting it if Redis lost it, in a restart say),
 * and served as it is while Redis cannot be reached.
 * <p>
 * Every operation checks its arguments first: blank or over-long (&gt; 256) names, control
 * characters and pod indexes below 1 get an {@link IllegalArgumentException} naming the parameter,
 * as does a service not configured as stateful in the operations that route
 * ({@link #computeLinkedPod}, {@link #setLinkedPodIfAbsent}).
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

	private final Cache<LinkKey, CachedLink> nearCache;

	private final long nearCacheTtlNanos;

	private final String clientId = UUID.randomUUID().toString();

	/** Bumped on every (re-)subscription: entries of an older epoch are unverified. */
	private final AtomicLong epoch = new AtomicLong();

	/** Announced changes per key stripe, so that a read racing an invalidation is not cached. */
	private final AtomicLongArray changes = new AtomicLongArray(STRIPES);

	private static final int STRIPES = 1024;

	/** Told once when the near cache is first written, if it was waiting for that. */
	private final AtomicReference<Runnable> firstCached = new AtomicReference<>();

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
		this.links = new LinkWriter(store, registry, this.keys, settings.linkTtl(), this.clientId);
		this.localNamespace = settings.namespace();
		this.nearCacheTtlNanos = settings.nearCacheTtl().toNanos();
		this.nearCache = Caffeine.newBuilder()
			.expireAfter(new UntilLinkExpires())
			.maximumSize(settings.nearCacheMaxSize())
			.recordStats()
			.build();
		registry.onDataLost(this::nearCacheUnverified);
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
		LinkKey key = statefulKey(namespace, uid, service);
		CachedLink cached = this.nearCache.getIfPresent(key);
		if (cached != null) {
			if (this.registry.isAvailable(namespace, service, cached.pod())) {
				if (cached.epoch() == this.epoch.get()) {
					return OptionalInt.of(cached.pod());
				}
				try {
					return available(key, namespace.equals(this.localNamespace) ? link(key, cached.pod())
							: read(key).orElse(0));
				}
				catch (RouteStoreUnavailableException ex) {
					logger.debug("Serving the unverified link of user '{}' to '{}': {}", uid, service, ex.getMessage());
					return OptionalInt.of(cached.pod());
				}
			}
			logger.debug("Pod {} of '{}' linked to user '{}' is not available any more", cached.pod(), service, uid);
			this.nearCache.invalidate(key);
		}
		if (!namespace.equals(this.localNamespace)) {
			return available(key, getLinkedPodNotCache(namespace, uid, service).orElse(0));
		}
		return available(key, link(key, this.registry.bestPod(namespace, service).orElse(0)));
	}

	private OptionalInt available(LinkKey key, int pod) {
		return (pod > 0 && this.registry.isAvailable(key.namespace(), key.service(), pod)) ? OptionalInt.of(pod)
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
		return read(key(namespace, uid, service));
	}

	/** Reads a link from Redis with its remaining TTL, and caches it for no longer than that. */
	private OptionalInt read(LinkKey key) {
		long sent = System.nanoTime();
		long epoch = this.epoch.get();
		long changes = changes(key);
		List<Long> reply = this.store.eval(RouteScript.GET_LINK,
				new byte[][] { this.keys.link(key.namespace(), key.uid()) }, RouteKeys.bytes(key.service()));
		int pod = reply.get(0).intValue();
		if (pod <= 0) {
			return OptionalInt.empty();
		}
		cache(key, pod, reply.get(1), sent, epoch, changes);
		return OptionalInt.of(pod);
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
	 * Returns a user's pod for a service from the near cache only (verified entries: none is while
	 * the link-change subscription is being re-established).
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @return the cached pod, or empty
	 */
	public OptionalInt getLinkedInCache(String namespace, String uid, String service) {
		CachedLink cached = this.nearCache.getIfPresent(key(namespace, uid, service));
		return (cached != null && cached.epoch() == this.epoch.get()) ? OptionalInt.of(cached.pod())
				: OptionalInt.empty();
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
	 * Puts a user's link in the near cache (not in Redis) for {@code near-cache-ttl}. Unlike the
	 * links the driver caches itself, this one may outlive its link in Redis.
	 * @param namespace the namespace
	 * @param uid the user
	 * @param service the service
	 * @param pod the pod index
	 */
	public void setCache(String namespace, String uid, String service, int pod) {
		LinkKey key = key(namespace, uid, service);
		this.nearCache.put(key, new CachedLink(RouteArguments.podIndex("pod", pod),
				System.nanoTime() + this.nearCacheTtlNanos, this.epoch.get()));
		cached();
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
	 * Redis round trip (one script; on a Redis Cluster one script per hash slot, sent together).
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
			OptionalInt cached = getLinkedInCache(namespace, uid, service);
			if (cached.isPresent()) {
				byPod.computeIfAbsent(cached.getAsInt(), (pod) -> new ArrayList<>()).add(uid);
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
		LinkKey key = statefulKey(namespace, uid, service);
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

	/**
	 * @return the near cache, a Caffeine cache recording statistics (for Micrometer's
	 * {@code CaffeineCacheMetrics}); read it, do not write it
	 */
	public Cache<?, ?> nearCache() {
		return this.nearCache;
	}

	/** Drops a link another client replaced. */
	void linkChanged(LinkChange change) {
		if (change.clientId().equals(this.clientId)) {
			return;
		}
		LinkKey key = new LinkKey(change.namespace(), change.uid(), change.service());
		this.changes.incrementAndGet(stripe(key));
		this.nearCache.invalidate(key);
	}

	/** Marks every cached link unverified: relinks may have been missed. */
	void nearCacheUnverified() {
		this.epoch.incrementAndGet();
	}

	RouteKeys keys() {
		return this.keys;
	}

	/** @return the local namespace, where links are written */
	public String localNamespace() {
		return this.localNamespace;
	}

	private int link(LinkKey key, int pod) {
		long sent = System.nanoTime();
		long epoch = this.epoch.get();
		long changes = changes(key);
		LinkWriter.Link linked = this.links.linkIfAbsent(key.namespace(), key.uid(), key.service(), pod);
		if (linked.pod() > 0) {
			cache(key, linked.pod(), linked.ttlMillis(), sent, epoch, changes);
		}
		return linked.pod();
	}

	/**
	 * Caches a link Redis returned for no longer than it lives there: its remaining TTL counted
	 * from before the command was sent. A change announced for its key meanwhile drops it again.
	 */
	private void cache(LinkKey key, int pod, long ttlMillis, long sentNanos, long epoch, long changes) {
		long expires = sentNanos + Math.min(this.nearCacheTtlNanos, TimeUnit.MILLISECONDS.toNanos(ttlMillis));
		if (expires - System.nanoTime() <= 0) {
			return;
		}
		this.nearCache.put(key, new CachedLink(pod, expires, epoch));
		if (changes(key) != changes) {
			this.nearCache.invalidate(key);
		}
		cached();
	}

	private void cached() {
		if (this.firstCached.get() != null) {
			Runnable action = this.firstCached.getAndSet(null);
			if (action != null) {
				action.run();
			}
		}
	}

	/**
	 * Runs an action once the near cache is in use: at once if a stateful service is registered or
	 * a link is cached already, else when the first link is cached (on that caller's thread, so it
	 * should only hand work over). An application with Redis and no stateful service thus never
	 * needs the relink subscription.
	 * @param action what to run
	 */
	void whenNearCacheUsed(Runnable action) {
		if (this.registry.hasStatefulServices() || this.nearCache.estimatedSize() > 0) {
			action.run();
			return;
		}
		this.firstCached.set(action);
		if (this.nearCache.estimatedSize() > 0) {
			cached();
		}
	}

	private long changes(LinkKey key) {
		return this.changes.get(stripe(key));
	}

	private static int stripe(LinkKey key) {
		return (key.hashCode() & Integer.MAX_VALUE) % STRIPES;
	}

	private LinkKey statefulKey(String namespace, String uid, String service) {
		LinkKey key = key(namespace, uid, service);
		if (!this.registry.isStateful(service)) {
			throw new IllegalArgumentException("service '" + service + "' is not a stateful service of this client: "
					+ "configure it with 'stateful: true' under grpc-clients.services");
		}
		return key;
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

	/**
	 * A cached link.
	 *
	 * @param pod the pod
	 * @param expiresNanos when it expires ({@link System#nanoTime()})
	 * @param epoch the subscription epoch it was read in
	 */
	private record CachedLink(int pod, long expiresNanos, long epoch) {
	}

	private static final class UntilLinkExpires implements Expiry<LinkKey, CachedLink> {

		@Override
		public long expireAfterCreate(LinkKey key, CachedLink value, long currentTime) {
			return Math.max(0, value.expiresNanos() - currentTime);
		}

		@Override
		public long expireAfterUpdate(LinkKey key, CachedLink value, long currentTime, long currentDuration) {
			return Math.max(0, value.expiresNanos() - currentTime);
		}

		@Override
		public long expireAfterRead(LinkKey key, CachedLink value, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
