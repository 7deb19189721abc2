package io.github.rpcclient.route;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.settings.RouteArguments;
import io.github.rpcclient.settings.RoutingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.lang.Nullable;

/**
 * The backend side of the pod registry: publishes this application as one pod of a stateful
 * service ({@code grpc-clients.routing.publish.*}) with a heartbeat every {@code interval}, valid
 * for {@code heartbeat-ttl}. On graceful shutdown (lifecycle stop, before the web and gRPC servers
 * stop) it marks the pod DRAINING: linked users stay, new ones go elsewhere; when its beans are
 * destroyed (the servers have stopped) it marks the pod DOWN, and its users move on their next
 * call. After a crash, the heartbeat lapses and the pod is DOWN after {@code heartbeat-ttl}. Each heartbeat also deletes pods whose heartbeat
 * stopped more than {@code pod-removal-after} ago.
 */
public class PodHeartbeatPublisher implements SmartLifecycle, DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(PodHeartbeatPublisher.class);

	private final RouteStore store;

	private final RouteKeys keys;

	private final RoutingSettings settings;

	private final String service;

	private final int index;

	private final String address;

	private final Duration interval;

	private final PodLoad load;

	@Nullable
	private ScheduledExecutorService heartbeat;

	private volatile PodState state = PodState.ROUTABLE;

	/** Stopped gracefully and not yet marked DOWN. */
	private volatile boolean drained;

	/**
	 * Creates the publisher of this application's pod.
	 * @param store the Redis to publish in
	 * @param settings the routing settings, with the pod to publish
	 * @param load the load figure to publish
	 */
	public PodHeartbeatPublisher(RouteStore store, RoutingSettings settings, PodLoad load) {
		RoutingSettings.Publish publish = settings.publish();
		if (publish == null) {
			throw new IllegalArgumentException("grpc-clients.routing.publish is not enabled");
		}
		this.store = store;
		this.keys = new RouteKeys(settings.keyPrefix());
		this.settings = settings;
		this.service = RouteArguments.name("grpc-clients.routing.publish.service", publish.service());
		this.index = RouteArguments.podIndex("grpc-clients.routing.publish.index", publish.index());
		this.address = RouteArguments.name("grpc-clients.routing.publish.address", publish.address());
		this.interval = publish.interval();
		this.load = load;
	}

	/**
	 * Publishes the pod once now, with its current state and load.
	 * @throws RouteStoreUnavailableException if Redis cannot be reached
	 */
	public void publish() {
		this.store.eval(RouteScript.PUBLISH_POD,
				new byte[][] { this.keys.pods(this.settings.namespace(), this.service),
						this.keys.podLinks(this.settings.namespace(), this.service) },
				RouteKeys.bytes(this.index), RouteKeys.bytes(this.state.name()),
				RouteKeys.bytes(Double.toString(this.load.current())),
				RouteKeys.bytes(this.settings.heartbeatTtl().toMillis()), RouteKeys.bytes(this.address),
				RouteKeys.bytes(this.settings.podRemovalAfter().toMillis()));
	}

	/**
	 * Changes the published state and publishes it at once.
	 * @param state the new state
	 */
	public void setState(PodState state) {
		this.state = state;
		publish();
	}

	/** @return the state being published */
	public PodState getState() {
		return this.state;
	}

	@Override
	public synchronized void start() {
		if (this.heartbeat != null) {
			return;
		}
		this.state = PodState.ROUTABLE;
		this.drained = false;
		this.heartbeat = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "grpc-pod-heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		long period = this.interval.toMillis();
		this.heartbeat.scheduleWithFixedDelay(this::beat, 0, period, TimeUnit.MILLISECONDS);
		logger.info("Publishing pod {} of stateful service '{}' at {} every {}", this.index, this.service, this.address,
				this.interval);
	}

	private void beat() {
		try {
			publish();
		}
		catch (RuntimeException ex) {
			logger.warn("Heartbeat of pod {} of '{}' failed: {}", this.index, this.service, ex.getMessage());
		}
	}

	/**
	 * Stops the heartbeat and marks the pod DRAINING (graceful shutdown).
	 */
	@Override
	public void stop() {
		if (halt()) {
			this.drained = true;
			try {
				setState(PodState.DRAINING);
				logger.info("Pod {} of stateful service '{}' is draining", this.index, this.service);
			}
			catch (RuntimeException ex) {
				logger.warn("Could not mark pod {} of '{}' draining: {}", this.index, this.service, ex.getMessage());
			}
		}
	}

	/**
	 * After a graceful shutdown (the servers have stopped by the time beans are destroyed), marks
	 * the pod DOWN, so that its users move on their next call instead of after
	 * {@code heartbeat-ttl}. Nothing after a halt, as after a crash.
	 */
	@Override
	public void destroy() {
		if (!this.drained) {
			return;
		}
		this.drained = false;
		try {
			setState(PodState.DOWN);
			logger.info("Pod {} of stateful service '{}' has stopped: marked DOWN", this.index, this.service);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not mark pod {} of '{}' down (its heartbeat lapses after {}): {}", this.index,
					this.service, this.settings.heartbeatTtl(), ex.getMessage());
		}
	}

	/**
	 * Stops the heartbeat without publishing anything, as a crash would.
	 * @return whether it was running
	 */
	synchronized boolean halt() {
		if (this.heartbeat == null) {
			return false;
		}
		this.heartbeat.shutdownNow();
		try {
			this.heartbeat.awaitTermination(this.settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.heartbeat = null;
		return true;
	}

	@Override
	public synchronized boolean isRunning() {
		return this.heartbeat != null;
	}

}
