package io.github.rpcclient.route;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

import io.github.rpcclient.settings.PodSettings;
import io.github.rpcclient.settings.RoutingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.lang.Nullable;

/**
 * The pods of each stateful service (the seed's route-info driver): static {@code pods[]} of the
 * local namespace merged with the pods published in Redis ({@link PodHeartbeatPublisher}). Only
 * services registered as stateful ({@link #addStaticPods}, at start-up) are known: their pods are
 * read from Redis when they are registered, never by a call, and other names get no pods without
 * Redis being asked. Services of other namespaces are read on first use and evicted once unused
 * for ten {@code registry-refresh} periods. Reads are answered from a snapshot that a background
 * thread refreshes every {@code registry-refresh}; a pod counts as DOWN once its heartbeat deadline passes on Redis'
 * clock (estimated locally between refreshes, frozen while Redis cannot be read, so a Redis outage
 * does not make every pod look dead). After an outage, pods that were alive before it stay
 * (unverified) until they beat again, for at most {@code reconnect-grace} ({@link PodSet}). When a
 * pod of the local namespace leaves the registry, every {@link PodLifecycleListener} is told.
 */
public class PodRegistry implements SmartLifecycle, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(PodRegistry.class);

	private final RouteStore store;

	private final RouteKeys keys;

	private final RoutingSettings settings;

	private final Supplier<List<PodLifecycleListener>> listeners;

	private final Map<ServiceKey, PodSet> sets = new ConcurrentHashMap<>();

	private final Map<String, Map<Integer, String>> staticPods = new ConcurrentHashMap<>();

	/** When each service of another namespace was last used ({@link System#nanoTime()}). */
	private final Map<ServiceKey, Long> lastUsed = new ConcurrentHashMap<>();

	private final long evictAfterNanos;

	private volatile BiPredicate<String, Integer> channelShutdown = (service, index) -> false;

	private final Set<String> drained = ConcurrentHashMap.newKeySet();

	@Nullable
	private ScheduledExecutorService refresher;

	private volatile boolean failing;

	private volatile Runnable dataLost = () -> {
	};

	/**
	 * Creates the registry.
	 * @param store the Redis the pods are published in
	 * @param settings the routing settings
	 * @param listeners told when a pod of the local namespace leaves
	 */
	public PodRegistry(RouteStore store, RoutingSettings settings, Supplier<List<PodLifecycleListener>> listeners) {
		this.store = store;
		this.keys = new RouteKeys(settings.keyPrefix());
		this.settings = settings;
		this.listeners = listeners;
		this.evictAfterNanos = settings.registryRefresh().multipliedBy(10).toNanos();
	}

	/**
	 * Registers a stateful service of the local namespace with its static pods, and reads its
	 * published pods from Redis now (within {@code command-timeout}; if Redis cannot be read, the
	 * static pods serve until a refresh succeeds). Called at start-up, so that no call waits for
	 * the first read.
	 * @param service the service name
	 * @param pods its pods
	 */
	public void addStaticPods(String service, List<PodSettings> pods) {
		Map<Integer, String> byIndex = new TreeMap<>();
		pods.forEach((pod) -> byIndex.put(pod.index(), pod.address().text()));
		this.staticPods.put(service, Collections.unmodifiableMap(byIndex));
		ServiceKey key = new ServiceKey(this.settings.namespace(), service);
		PodSet previous = this.sets.get(key);
		this.sets.put(key, (previous != null) ? merge(key, previous.published, previous.redisNow(), previous.clockRunning,
				previous.since) : merge(key, Map.of(), 0, false, null));
		try {
			this.sets.put(key, read(key));
		}
		catch (RouteStoreUnavailableException ex) {
			logger.warn("Cannot read the pods of stateful service '{}' from Redis yet; the registry refresh will retry: "
					+ "{}", service, ex.getMessage());
		}
	}

	/**
	 * @param service a service name
	 * @return whether it is registered as a stateful service
	 */
	public boolean isStateful(String service) {
		return this.staticPods.containsKey(service);
	}

	/** @return whether any stateful service is registered */
	public boolean hasStatefulServices() {
		return !this.staticPods.isEmpty();
	}

	/**
	 * Returns a service's pods, reading them from Redis the first time.
	 * @param namespace the namespace
	 * @param service the service
	 * @return the pods by index
	 * @throws RouteStoreUnavailableException if they were never read and Redis cannot be reached
	 * (and the service has no static pods)
	 */
	public Map<Integer, Pod> pods(String namespace, String service) {
		return podSet(namespace, service).pods;
	}

	/**
	 * Picks the pod a new user of a service should link to: a routable pod with the lowest load,
	 * ties broken by fewest links; a pod that is merely unverified (just after a Redis outage) only
	 * if no verified pod is routable.
	 * @param namespace the namespace
	 * @param service the service
	 * @return the pod index, or empty if no pod is routable
	 */
	public OptionalInt bestPod(String namespace, String service) {
		PodSet set = podSet(namespace, service);
		OptionalInt verified = bestPod(namespace, service, set, false);
		return verified.isPresent() ? verified : bestPod(namespace, service, set, true);
	}

	private OptionalInt bestPod(String namespace, String service, PodSet set, boolean unverified) {
		Pod best = null;
		long bestLinks = 0;
		for (Pod pod : set.pods.values()) {
			if (set.stateOf(pod) != PodState.ROUTABLE || set.isUnverified(pod) != unverified
					|| isShutdown(namespace, service, pod.index()) || isDrained(namespace, service, pod.index())) {
				continue;
			}
			long links = pod.links() + set.localLinks(pod.index());
			if (best == null || pod.load() < best.load() || (pod.load() == best.load() && links < bestLinks)) {
				best = pod;
				bestLinks = links;
			}
		}
		return (best != null) ? OptionalInt.of(best.index()) : OptionalInt.empty();
	}

	/**
	 * @param namespace the namespace
	 * @param service the service
	 * @param index the pod index
	 * @return whether the pod accepts new links: ROUTABLE, heartbeat fresh, channel open
	 */
	public boolean isRoutable(String namespace, String service, int index) {
		return stateOf(namespace, service, index) == PodState.ROUTABLE;
	}

	/**
	 * @param namespace the namespace
	 * @param service the service
	 * @param index the pod index
	 * @return whether the pod serves its linked users: ROUTABLE or DRAINING, heartbeat fresh (or
	 * static), channel not shut down
	 */
	public boolean isAvailable(String namespace, String service, int index) {
		return stateOf(namespace, service, index) != PodState.DOWN;
	}

	/**
	 * @param namespace the namespace
	 * @param service the service
	 * @param index the pod index
	 * @return the pod's effective state; DOWN if it is unknown
	 */
	public PodState stateOf(String namespace, String service, int index) {
		PodSet set = podSet(namespace, service);
		Pod pod = set.pods.get(index);
		if (pod == null || isShutdown(namespace, service, index)) {
			return PodState.DOWN;
		}
		PodState state = set.stateOf(pod);
		return (state == PodState.ROUTABLE && isDrained(namespace, service, index)) ? PodState.DRAINING : state;
	}

	/**
	 * @param namespace the namespace
	 * @param service the service
	 * @param index the pod index
	 * @return whether the pod counts as alive only because its publisher has not beaten since
	 * Redis came back from an outage (within {@code reconnect-grace})
	 */
	public boolean isUnverified(String namespace, String service, int index) {
		PodSet set = podSet(namespace, service);
		Pod pod = set.pods.get(index);
		return pod != null && set.isUnverified(pod);
	}

	/**
	 * Drains a pod as this client sees it (an operator's action): it keeps its linked users but this
	 * client links no new user to it, whatever the pod publishes, until {@link #undrain undrained}.
	 * @param namespace the namespace
	 * @param service the service
	 * @param index the pod index
	 * @return whether it was not drained already
	 */
	public boolean drain(String namespace, String service, int index) {
		return this.drained.add(drainKey(namespace, service, index));
	}

	/**
	 * Ends an operator's {@link #drain}.
	 * @param namespace the namespace
	 * @param service the service
	 * @param index the pod index
	 * @return whether it was drained
	 */
	public boolean undrain(String namespace, String service, int index) {
		return this.drained.remove(drainKey(namespace, service, index));
	}

	private boolean isDrained(String namespace, String service, int index) {
		return !this.drained.isEmpty() && this.drained.contains(drainKey(namespace, service, index));
	}

	private static String drainKey(String namespace, String service, int index) {
		return namespace + '\u0000' + service + '\u0000' + index;
	}

	/**
	 * Redis' clock now, as estimated from the last read of a service's pods (heartbeat ages).
	 * @param namespace the namespace
	 * @param service the service
	 * @return Redis time in ms
	 */
	public long redisNow(String namespace, String service) {
		return podSet(namespace, service).redisNow();
	}

	/** The indexes of the available pods, as script arguments. */
	byte[][] availablePodArguments(String namespace, String service) {
		PodSet set = podSet(namespace, service);
		return set.pods.values()
			.stream()
			.filter((pod) -> set.stateOf(pod) != PodState.DOWN && !isShutdown(namespace, service, pod.index()))
			.map((pod) -> RouteKeys.bytes(pod.index()))
			.toArray(byte[][]::new);
	}

	/** Counts a link made by this client until the next refresh reads the shared counters. */
	void linked(String namespace, String service, int index) {
		podSet(namespace, service).localLinks.computeIfAbsent(index, (i) -> new LongAdder()).increment();
	}

	/**
	 * Sets what to do when a read finds that Redis lost a pods hash (restarted empty, flushed,
	 * failed over to a replica without it), which no connection drop may have announced.
	 * @param action what to do (mark the near cache unverified)
	 */
	void onDataLost(Runnable action) {
		this.dataLost = action;
	}

	/**
	 * Lets pods whose channel is shut down count as DOWN.
	 * @param channelShutdown tells whether a local pod's channel is shut down
	 */
	void useChannelStates(BiPredicate<String, Integer> channelShutdown) {
		this.channelShutdown = channelShutdown;
	}

	private boolean isShutdown(String namespace, String service, int index) {
		return namespace.equals(this.settings.namespace()) && this.channelShutdown.test(service, index);
	}

	private PodSet podSet(String namespace, String service) {
		if (!isStateful(service)) {
			return PodSet.EMPTY;
		}
		ServiceKey key = new ServiceKey(namespace, service);
		boolean local = namespace.equals(this.settings.namespace());
		if (!local) {
			this.lastUsed.put(key, System.nanoTime());
		}
		PodSet set = this.sets.get(key);
		if (set == null) {
			set = local ? merge(key, Map.of(), 0, false, null) : read(key);
			PodSet raced = this.sets.putIfAbsent(key, set);
			if (raced != null) {
				set = raced;
			}
		}
		return set;
	}

	/**
	 * Re-reads every service's pods from Redis now, telling listeners about pods that left. The
	 * first read after an outage (the last read of the service failed, or Redis lost the pods
	 * hash since: restarted empty, flushed, failed over) keeps the pods that were alive before it
	 * for {@code reconnect-grace}: each counts as unverified, not DOWN, while its heartbeat has
	 * lapsed or it is missing, until its publisher beats again.
	 */
	public void refresh() {
		boolean failed = false;
		for (ServiceKey key : Set.copyOf(this.sets.keySet())) {
			if (evictedIfUnused(key)) {
				continue;
			}
			PodSet previous = this.sets.get(key);
			PodSet current;
			try {
				current = read(key);
			}
			catch (RouteStoreUnavailableException ex) {
				failed = true;
				if (!this.failing) {
					logger.warn("Cannot refresh the pods of '{}' from Redis; using the last ones read: {}", key.service,
							ex.getMessage());
				}
				this.sets.put(key, previous.frozen());
				continue;
			}
			boolean readFailed = previous.readFailed();
			boolean lost = previous.lostBy(current);
			current = current.after(previous, readFailed || lost, this.settings.reconnectGrace().toMillis());
			if ((readFailed || lost) && !current.awaited.isEmpty()) {
				logger.info("Redis answers again{}: pods {} of '{}' keep their users, unverified while they do not "
						+ "beat, for at most {} (reconnect-grace)", lost ? " without the pods it had" : "",
						current.awaited.keySet(), key.service, this.settings.reconnectGrace());
			}
			this.sets.put(key, current);
			if (lost) {
				this.dataLost.run();
			}
			if (key.namespace.equals(this.settings.namespace())) {
				for (Integer index : previous.pods.keySet()) {
					if (!current.pods.containsKey(index)) {
						logger.info("Pod {} of stateful service '{}' left the registry", index, key.service);
						this.listeners.get().forEach((listener) -> listener.podRemoved(key.service, index));
					}
				}
			}
		}
		this.failing = failed;
	}

	private boolean evictedIfUnused(ServiceKey key) {
		if (key.namespace.equals(this.settings.namespace())) {
			return false;
		}
		Long used = this.lastUsed.get(key);
		if (used != null && System.nanoTime() - used < this.evictAfterNanos) {
			return false;
		}
		this.sets.remove(key);
		this.lastUsed.remove(key);
		logger.debug("Pods of '{}' in namespace '{}' evicted: unused", key.service, key.namespace);
		return true;
	}

	private PodSet read(ServiceKey key) {
		List<Object> reply = this.store.eval(RouteScript.READ_PODS, new byte[][] {
				this.keys.pods(key.namespace, key.service), this.keys.podLinks(key.namespace, key.service) });
		PublishedPods published = PublishedPods.parse(reply);
		return merge(key, published.pods(), published.redisNow(), true, published.since());
	}

	private PodSet merge(ServiceKey key, Map<Integer, Pod> published, long redisNow, boolean clockRunning,
			@Nullable String since) {
		Map<Integer, String> fixed = key.namespace.equals(this.settings.namespace())
				? this.staticPods.getOrDefault(key.service, Map.of()) : Map.of();
		Map<Integer, Pod> pods = new TreeMap<>(published);
		fixed.forEach((index, address) -> pods.merge(index, Pod.fixed(index, address),
				(fromRedis, fromConfig) -> fromRedis.withAddress(address)));
		return new PodSet(Collections.unmodifiableMap(pods), published, redisNow, clockRunning, since);
	}

	/**
	 * Reads every registered service's pods once more (they may have changed while the application
	 * started), then re-reads them every {@code registry-refresh} in the background.
	 */
	@Override
	public synchronized void start() {
		if (this.refresher == null) {
			refreshQuietly();
			this.refresher = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "grpc-pod-registry");
				thread.setDaemon(true);
				return thread;
			});
			long period = this.settings.registryRefresh().toMillis();
			this.refresher.scheduleWithFixedDelay(this::refreshQuietly, period, period, TimeUnit.MILLISECONDS);
		}
	}

	private void refreshQuietly() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			logger.warn("Pod registry refresh failed", ex);
		}
	}

	@Override
	public synchronized void stop() {
		if (this.refresher != null) {
			this.refresher.shutdownNow();
			this.refresher = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.refresher != null;
	}

	@Override
	public void close() {
		stop();
	}

	private record ServiceKey(String namespace, String service) {
	}

}
