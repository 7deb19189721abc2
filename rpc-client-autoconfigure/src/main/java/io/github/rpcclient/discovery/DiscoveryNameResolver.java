package io.github.rpcclient.discovery;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.lang.Nullable;

/**
 * Resolves {@code discovery:///service-id} to the instances a {@link DiscoveryClient} lists, one
 * address group per instance. The client is read on an executor (never on grpc-java's
 * synchronization context, which a slow registry would block) and the result handed back on the
 * synchronization context. It re-reads every {@code refresh-interval}, when grpc-java asks
 * ({@link #refresh()}, after a connection fails) and when {@link #refreshFromOutside()} is called
 * (a {@code HeartbeatEvent}, a call failing UNAVAILABLE); requests within {@link #MIN_GAP} of the
 * last read are deferred to its end, not dropped, and one read runs at a time. No instances is an
 * UNAVAILABLE error naming the service id and the discovery client.
 */
final class DiscoveryNameResolver extends NameResolver {

	/** Least time between two reads of the discovery client, so failing calls cannot flood it. */
	static final Duration MIN_GAP = Duration.ofSeconds(1);

	private static final Logger logger = LoggerFactory.getLogger(DiscoveryNameResolver.class);

	private final String serviceId;

	private final DiscoveryClient client;

	private final String clientDescription;

	private final long intervalNanos;

	private final SynchronizationContext syncContext;

	private final ScheduledExecutorService timer;

	private final Executor executor;

	private final Consumer<DiscoveryNameResolver> started;

	private final Consumer<DiscoveryNameResolver> stopped;

	// the fields below are used on the synchronization context only

	@Nullable
	private Listener2 listener;

	private boolean resolving;

	private boolean again;

	private boolean shutdown;

	private long lastReadNanos;

	@Nullable
	private SynchronizationContext.ScheduledHandle next;

	private List<SocketAddress> lastAddresses = List.of();

	/** The instances skipped by the last read, warned about once; used on the executor only. */
	private volatile Set<String> skipped = Set.of();

	DiscoveryNameResolver(String serviceId, DiscoveryClient client, String clientDescription, Duration interval,
			Args args, Executor executor, Consumer<DiscoveryNameResolver> started,
			Consumer<DiscoveryNameResolver> stopped) {
		this.serviceId = serviceId;
		this.client = client;
		this.clientDescription = clientDescription;
		this.intervalNanos = interval.toNanos();
		this.syncContext = args.getSynchronizationContext();
		this.timer = args.getScheduledExecutorService();
		this.executor = executor;
		this.started = started;
		this.stopped = stopped;
		this.lastReadNanos = System.nanoTime() - MIN_GAP.toNanos();
	}

	String serviceId() {
		return this.serviceId;
	}

	@Override
	public String getServiceAuthority() {
		return this.serviceId;
	}

	@Override
	public void start(Listener2 listener) {
		this.listener = listener;
		this.started.accept(this);
		read();
	}

	@Override
	public void refresh() {
		request();
	}

	/**
	 * Asks for a re-read from any thread; it runs on the synchronization context.
	 */
	void refreshFromOutside() {
		this.syncContext.execute(this::request);
	}

	@Override
	public void shutdown() {
		if (this.shutdown) {
			return;
		}
		this.shutdown = true;
		cancelNext();
		this.stopped.accept(this);
	}

	private void request() {
		if (this.shutdown || this.listener == null) {
			return;
		}
		if (this.resolving) {
			this.again = true;
			return;
		}
		long wait = this.lastReadNanos + MIN_GAP.toNanos() - System.nanoTime();
		if (wait > 0) {
			schedule(wait);
		}
		else {
			read();
		}
	}

	private void read() {
		cancelNext();
		this.resolving = true;
		try {
			this.executor.execute(this::lookUp);
		}
		catch (RejectedExecutionException ex) {
			this.resolving = false;
			this.listener.onError(Status.UNAVAILABLE.withDescription("Cannot look up '" + this.serviceId + "' in "
					+ this.clientDescription + ": the resolver's executor refused the task").withCause(ex));
		}
	}

	/** Runs on the executor: reads the client, then hands the outcome to the synchronization context. */
	private void lookUp() {
		Outcome outcome;
		try {
			outcome = addresses(this.client.getInstances(this.serviceId));
		}
		catch (RuntimeException ex) {
			outcome = new Outcome(List.of(), Status.UNAVAILABLE
				.withDescription("Discovery client " + this.clientDescription + " failed to list the instances of '"
						+ this.serviceId + "': " + ex)
				.withCause(ex));
		}
		Outcome result = outcome;
		this.syncContext.execute(() -> deliver(result));
	}

	private Outcome addresses(@Nullable List<ServiceInstance> instances) {
		if (instances == null || instances.isEmpty()) {
			return new Outcome(List.of(), Status.UNAVAILABLE.withDescription("No instances of service '" + this.serviceId
					+ "' in discovery client " + this.clientDescription));
		}
		Set<SocketAddress> addresses = new LinkedHashSet<>();
		Set<String> skipped = new HashSet<>();
		for (ServiceInstance instance : instances) {
			try {
				InetSocketAddress address = new InetSocketAddress(instance.getHost(), ServiceInstances.grpcPort(instance));
				if (address.isUnresolved()) {
					throw new IllegalArgumentException("its host '" + instance.getHost() + "' cannot be resolved");
				}
				addresses.add(address);
			}
			catch (IllegalArgumentException ex) {
				String problem = ServiceInstances.name(instance) + ": " + ex.getMessage();
				skipped.add(problem);
				if (!this.skipped.contains(problem)) {
					logger.warn("Skipping instance {} of '{}' from {}", problem, this.serviceId, this.clientDescription);
				}
			}
		}
		this.skipped = skipped;
		if (addresses.isEmpty()) {
			return new Outcome(List.of(), Status.UNAVAILABLE.withDescription("None of the " + instances.size()
					+ " instances of service '" + this.serviceId + "' in discovery client " + this.clientDescription
					+ " has a usable address (see the warnings logged)"));
		}
		return new Outcome(List.copyOf(addresses), null);
	}

	private void deliver(Outcome outcome) {
		this.resolving = false;
		this.lastReadNanos = System.nanoTime();
		if (this.shutdown) {
			return;
		}
		if (outcome.error != null) {
			if (!this.lastAddresses.isEmpty()) {
				logger.warn("{}", outcome.error.getDescription());
			}
			this.lastAddresses = List.of();
			this.listener.onError(outcome.error);
		}
		else {
			if (!outcome.addresses.equals(this.lastAddresses)) {
				logger.info("Service '{}' from {}: {}", this.serviceId, this.clientDescription, outcome.addresses);
			}
			this.lastAddresses = outcome.addresses;
			List<EquivalentAddressGroup> groups = new ArrayList<>(outcome.addresses.size());
			outcome.addresses.forEach((address) -> groups.add(new EquivalentAddressGroup(address)));
			this.listener.onResult2(ResolutionResult.newBuilder().setAddresses(groups).build());
		}
		if (this.again) {
			this.again = false;
			request();
		}
		else {
			schedule(this.intervalNanos);
		}
	}

	private void schedule(long delayNanos) {
		if (this.next != null && this.next.isPending()) {
			if (delayNanos >= this.intervalNanos) {
				return;
			}
			this.next.cancel();
		}
		this.next = this.syncContext.schedule(this::read, delayNanos, TimeUnit.NANOSECONDS, this.timer);
	}

	private void cancelNext() {
		if (this.next != null) {
			this.next.cancel();
			this.next = null;
		}
	}

	@Override
	public String toString() {
		return "DiscoveryNameResolver[" + this.serviceId + " from " + this.clientDescription + "]";
	}

	private record Outcome(List<SocketAddress> addresses, @Nullable Status error) {
	}

}
