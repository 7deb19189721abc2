package io.github.rpcclient.actuate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.route.PodState;
import io.github.rpcclient.route.RouteStore;
import io.github.rpcclient.route.StatefulRouteDriver;
import io.github.rpcclient.settings.ServiceSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * Meters of stateful routing: the near cache of links through Micrometer's own
 * {@link CaffeineCacheMetrics} ({@code cache.gets} by hit/miss, {@code cache.evictions},
 * {@code cache.size}, ... tagged {@code cache=}{@value #NEAR_CACHE}); a timer
 * {@code grpc.client.route.store} of every Redis operation, tagged {@code operation} (a fixed set
 * of commands and scripts) and {@code outcome}; and a gauge {@code grpc.client.pods} per stateful
 * service and pod state ({@code grpc.client.name}, {@code state}). The cache and the store serve
 * every stateful service, so their meters carry no service name.
 */
public class RouteMeters implements MeterBinder {

	/** The near cache's name in its meters. */
	public static final String NEAR_CACHE = "grpc-clients.route.near-cache";

	private final ManagedChannelRegistry channels;

	private final StatefulRouteDriver driver;

	private final RouteStore store;

	private final PodAccess pods;

	/**
	 * Creates the binder.
	 * @param channels the services (the stateful ones get pod gauges)
	 * @param driver owns the near cache
	 * @param store the Redis route store
	 * @param pods the pods of each stateful service
	 */
	public RouteMeters(ManagedChannelRegistry channels, StatefulRouteDriver driver, RouteStore store, PodAccess pods) {
		this.channels = channels;
		this.driver = driver;
		this.store = store;
		this.pods = pods;
	}

	@Override
	public void bindTo(MeterRegistry meters) {
		CaffeineCacheMetrics.monitor(meters, this.driver.nearCache(), NEAR_CACHE);
		Map<String, Map<String, Timer>> timers = new ConcurrentHashMap<>();
		this.store.setObserver((operation, outcome, nanos) -> timers
			.computeIfAbsent(operation, (op) -> new ConcurrentHashMap<>())
			.computeIfAbsent(outcome, (result) -> Timer.builder("grpc.client.route.store")
				.description("Redis operations of the stateful route store")
				.tag("operation", operation)
				.tag("outcome", result)
				.register(meters))
			.record(nanos, TimeUnit.NANOSECONDS));
		for (String name : this.channels.getServiceNames()) {
			ServiceSettings service = this.channels.get(name).settings();
			if (!service.stateful()) {
				continue;
			}
			for (PodState state : PodState.values()) {
				Gauge.builder("grpc.client.pods", this.pods, (access) -> count(access, name, state))
					.description("Pods of a stateful service by the state this client routes them in")
					.tag("grpc.client.name", name)
					.tag("state", state.name())
					.strongReference(true)
					.register(meters);
			}
		}
	}

	private static double count(PodAccess access, String service, PodState state) {
		try {
			return access.pods(service).stream().filter((pod) -> pod.state().equals(state.name())).count();
		}
		catch (RuntimeException ex) {
			return Double.NaN;
		}
	}

}
