package io.github.rpcclient.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.rpcclient.channel.ServiceTransportProvider;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.StatefulTransportProvider;
import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.PodSettings;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ManagedChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;
import org.springframework.lang.Nullable;

/**
 * The pods of stateful services whose {@code address} is {@code discovery:///service-id}: each
 * instance whose metadata carries a pod index ({@link ServiceInstances#POD_INDEX_KEYS}) is the pod
 * of that index at its gRPC address, so a StatefulSet (or any registry) needs no static
 * {@code pods[]}. Serves such a service before the {@link StatefulTransportProvider} does, by
 * building its channel there and then handing the discovered pods to the {@link PodRegistry} as
 * the service's static pods (merged with any listed in {@code pods[]}; discovery wins on a shared
 * index). The pods are read once at start-up and again every {@code refresh-interval}, on
 * {@link #refreshAll()} (a {@code HeartbeatEvent}) and on {@link #refresh(String)} (a pinned call
 * failing UNAVAILABLE), always on this class's own thread; a pod that left discovery has its
 * channel shut down. A discovery client that fails keeps the last pods read.
 */
public class DiscoveredPods implements ServiceTransportProvider, Ordered, SmartLifecycle, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(DiscoveredPods.class);

	private final DiscoveryClient client;

	private final String clientDescription;

	private final StatefulTransportProvider stateful;

	private final PodRegistry registry;

	private final Duration interval;

	private final Map<String, Tracked> services = new ConcurrentHashMap<>();

	@Nullable
	private ScheduledExecutorService refresher;

	/**
	 * Creates the source.
	 * @param client the application's discovery client
	 * @param stateful builds the channels of stateful services
	 * @param registry receives the discovered pods
	 * @param interval how often the pods are re-read without being asked
	 */
	public DiscoveredPods(DiscoveryClient client, StatefulTransportProvider stateful, PodRegistry registry,
			Duration interval) {
		this.client = client;
		this.clientDescription = ServiceInstances.describe(client);
		this.stateful = stateful;
		this.registry = registry;
		this.interval = interval;
	}

	@Override
	@Nullable
	public ManagedChannel channelFor(ServiceSettings service) {
		if (!service.stateful() || service.address() == null
				|| service.address().kind() != GrpcAddress.Kind.DISCOVERY) {
			return null;
		}
		ManagedChannel channel = this.stateful.channelFor(service);
		Tracked tracked = new Tracked(service, service.address().serviceId());
		this.services.put(service.name(), tracked);
		update(tracked);
		return channel;
	}

	/**
	 * Re-reads the pods of every discovered service, in the background.
	 */
	public void refreshAll() {
		this.services.values().forEach(this::updateLater);
	}

	/**
	 * Re-reads the pods of one service, in the background.
	 * @param service the service name
	 */
	public void refresh(String service) {
		Tracked tracked = this.services.get(service);
		if (tracked != null) {
			updateLater(tracked);
		}
	}

	private void updateLater(Tracked tracked) {
		ScheduledExecutorService refresher = this.refresher;
		if (refresher != null && tracked.queued.compareAndSet(false, true)) {
			try {
				refresher.execute(() -> {
					tracked.queued.set(false);
					try {
						update(tracked);
					}
					catch (RuntimeException ex) {
						logger.warn("Refreshing the discovered pods of '{}' failed", tracked.service.name(), ex);
					}
				});
			}
			catch (RejectedExecutionException ex) {
				tracked.queued.set(false); // stopping
			}
		}
	}

	private void update(Tracked tracked) {
		synchronized (tracked) {
			Map<Integer, String> found;
			try {
				found = read(tracked);
			}
			catch (RuntimeException ex) {
				logger.warn("Cannot read the pods of '{}' from {}; keeping the last ones read: {}",
						tracked.service.name(), this.clientDescription, ex.toString());
				return;
			}
			if (found.equals(tracked.pods)) {
				return;
			}
			List<PodSettings> pods = new ArrayList<>();
			found.forEach((index, address) -> pods.add(new PodSettings(index, GrpcAddress.parse(address))));
			tracked.service.pods()
				.stream()
				.filter((pod) -> !found.containsKey(pod.index()))
				.forEach(pods::add);
			logger.info("Pods of stateful service '{}' from {}: {}", tracked.service.name(), this.clientDescription,
					found);
			this.registry.addStaticPods(tracked.service.name(), pods);
			for (Integer index : tracked.pods.keySet()) {
				boolean listed = tracked.service.pods().stream().anyMatch((pod) -> pod.index() == index);
				if (!found.containsKey(index) && !listed) {
					this.stateful.podRemoved(tracked.service.name(), index);
				}
			}
			tracked.pods = found;
		}
	}

	private Map<Integer, String> read(Tracked tracked) {
		Map<Integer, String> pods = new TreeMap<>();
		Set<String> skipped = new HashSet<>();
		List<ServiceInstance> instances = this.client.getInstances(tracked.serviceId);
		for (ServiceInstance instance : (instances != null) ? instances : List.<ServiceInstance>of()) {
			try {
				OptionalInt index = ServiceInstances.podIndex(instance);
				if (index.isEmpty()) {
					throw new IllegalArgumentException("it has no " + ServiceInstances.POD_INDEX_KEYS.get(0)
							+ " metadata");
				}
				String address = ServiceInstances.hostAndPort(instance);
				GrpcAddress.parse(address);
				String previous = pods.putIfAbsent(index.getAsInt(), address);
				if (previous != null && !previous.equals(address)) {
					throw new IllegalArgumentException("pod " + index.getAsInt() + " is already at " + previous);
				}
			}
			catch (IllegalArgumentException ex) {
				String problem = ServiceInstances.name(instance) + ": " + ex.getMessage();
				skipped.add(problem);
				if (!tracked.skipped.contains(problem)) {
					logger.warn("Skipping instance {} of stateful service '{}' from {}", problem, tracked.service.name(),
							this.clientDescription);
				}
			}
		}
		tracked.skipped = skipped;
		return pods;
	}

	private void updateAll() {
		try {
			this.services.values().forEach(this::update);
		}
		catch (RuntimeException ex) {
			logger.warn("Refreshing the discovered pods failed", ex);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public synchronized void start() {
		if (this.refresher == null) {
			this.refresher = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "grpc-discovered-pods");
				thread.setDaemon(true);
				return thread;
			});
			long period = this.interval.toMillis();
			this.refresher.scheduleWithFixedDelay(this::updateAll, period, period, TimeUnit.MILLISECONDS);
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

	private static final class Tracked {

		private final ServiceSettings service;

		private final String serviceId;

		private final AtomicBoolean queued = new AtomicBoolean();

		private Map<Integer, String> pods = Map.of();

		private Set<String> skipped = Set.of();

		Tracked(ServiceSettings service, String serviceId) {
			this.service = service;
			this.serviceId = serviceId;
		}

	}

}
