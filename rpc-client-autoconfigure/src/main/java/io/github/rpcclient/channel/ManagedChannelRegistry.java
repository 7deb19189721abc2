package io.github.rpcclient.channel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.config.ChannelProperties.ConnectMode;
import io.github.rpcclient.config.ConfigurationViolation;
import io.github.rpcclient.config.GrpcClientStartupException;
import io.github.rpcclient.config.ServiceDefaults;
import io.github.rpcclient.config.ServiceProperties;
import io.github.rpcclient.config.ServicePropertiesValidator;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Holds one {@link ManagedChannel} per service, shared by all of the service's stubs. Channels are
 * created when a service is registered and connect as the service's {@code connect} mode says.
 * {@link #close()} shuts them down gracefully; as a {@link SmartLifecycle} it does so on context
 * shutdown after the embedded web server has drained its requests.
 */
public class ManagedChannelRegistry implements SmartLifecycle, AutoCloseable {

	/**
	 * Lifecycle phase: started before and stopped after the web server and its graceful shutdown.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Logger logger = LoggerFactory.getLogger(ManagedChannelRegistry.class);

	private final Map<String, ServiceChannel> channels = new ConcurrentHashMap<>();

	private final ServiceDefaults serviceDefaults;

	private final ServicePropertiesValidator validator;

	private final GrpcChannelFactory channelFactory;

	private final List<ServiceInterceptorProvider> interceptorProviders;

	private final List<ServiceTransportProvider> transportProviders;

	private volatile boolean running;

	private volatile boolean closed;

	/**
	 * Creates a registry with no services.
	 * @param serviceDefaults creates services that inherit the configured defaults
	 * @param validator validates services before they are registered
	 * @param channelFactory builds the channels
	 * @param interceptorProviders the interceptor chain, in any order (sorted by their order here)
	 */
	public ManagedChannelRegistry(ServiceDefaults serviceDefaults, ServicePropertiesValidator validator,
			GrpcChannelFactory channelFactory, List<ServiceInterceptorProvider> interceptorProviders) {
		this(serviceDefaults, validator, channelFactory, interceptorProviders, List.of());
	}

	/**
	 * Creates a registry with no services.
	 * @param serviceDefaults creates services that inherit the configured defaults
	 * @param validator validates services before they are registered
	 * @param channelFactory builds the channels
	 * @param interceptorProviders the interceptor chain, in any order (sorted by their order here)
	 * @param transportProviders asked first for the channel of each service (stateful services)
	 */
	public ManagedChannelRegistry(ServiceDefaults serviceDefaults, ServicePropertiesValidator validator,
			GrpcChannelFactory channelFactory, List<ServiceInterceptorProvider> interceptorProviders,
			List<ServiceTransportProvider> transportProviders) {
		this.transportProviders = List.copyOf(transportProviders);
		this.serviceDefaults = serviceDefaults;
		this.validator = validator;
		this.channelFactory = channelFactory;
		List<ServiceInterceptorProvider> sorted = new ArrayList<>(interceptorProviders);
		sorted.sort((a, b) -> Integer.compare(a.getOrder(), b.getOrder()));
		this.interceptorProviders = List.copyOf(sorted);
	}

	/**
	 * Registers a service with the configured defaults.
	 * @param name the service name
	 * @param address the service address
	 * @return the registered channel
	 * @throws io.github.rpcclient.config.InvalidServiceConfigurationException if the name or address is invalid
	 * @throws IllegalStateException if the name is taken or the registry is closed
	 */
	public ServiceChannel register(String name, String address) {
		return register(this.serviceDefaults.newService(name, address));
	}

	/**
	 * Registers a service. Create it with {@link ServiceDefaults#newService} to inherit the
	 * configured defaults.
	 * @param service the service
	 * @return the registered channel
	 * @throws io.github.rpcclient.config.InvalidServiceConfigurationException if the service is invalid
	 * @throws IllegalStateException if the name is taken or the registry is closed
	 */
	public ServiceChannel register(ServiceProperties service) {
		this.validator.validate(service, "service '" + service.getName() + "'");
		return add(service);
	}

	/**
	 * Registers services that were validated together already (the configured ones).
	 * @param services the services
	 */
	public void registerValidated(List<ServiceProperties> services) {
		services.forEach(this::add);
	}

	private ServiceChannel add(ServiceProperties service) {
		assertOpen();
		ServiceChannel created = this.channels.computeIfAbsent(service.getName(), (name) -> build(service));
		if (created.service() != service) {
			throw new IllegalStateException("A gRPC service named '" + service.getName() + "' is already registered");
		}
		if (this.running) {
			connectPerMode(created);
		}
		return created;
	}

	private ServiceChannel build(ServiceProperties service) {
		ManagedChannel managedChannel = transport(service);
		InFlightCalls inFlight = new InFlightCalls();
		List<ClientInterceptor> interceptors = new ArrayList<>(this.interceptorProviders.size() + 1);
		interceptors.add(inFlight);
		for (ServiceInterceptorProvider provider : this.interceptorProviders) {
			ClientInterceptor interceptor = provider.interceptorFor(service);
			if (interceptor != null) {
				interceptors.add(interceptor);
			}
		}
		Channel callChannel = ClientInterceptors.interceptForward(managedChannel, interceptors);
		return new ServiceChannel(service, managedChannel, callChannel, inFlight::count);
	}

	private ManagedChannel transport(ServiceProperties service) {
		for (ServiceTransportProvider provider : this.transportProviders) {
			ManagedChannel channel = provider.channelFor(service);
			if (channel != null) {
				return channel;
			}
		}
		if (service.isStateful()) {
			throw new GrpcClientStartupException("gRPC service '" + service.getName()
					+ "' is stateful, but stateful routing is not active: it keeps the links between users and pods "
					+ "in Redis, and no Redis connection is configured.",
					"Add spring-boot-starter-data-redis (Lettuce) and configure spring.data.redis.*, or remove "
							+ "'stateful: true' from the service.");
		}
		return this.channelFactory.create(service);
	}

	/**
	 * Returns the channel of a service.
	 * @param name the service name
	 * @return the service's managed channel
	 * @throws UnknownServiceException listing the known services, if there is no such service
	 */
	public ManagedChannel getChannel(String name) {
		return get(name).managedChannel();
	}

	/**
	 * Returns what stubs of a service call: its channel behind the service's interceptor chain.
	 * @param name the service name
	 * @return the channel to create stubs on
	 * @throws UnknownServiceException listing the known services, if there is no such service
	 */
	public Channel getCallChannel(String name) {
		return get(name).callChannel();
	}

	/**
	 * Returns a registered service.
	 * @param name the service name
	 * @return the service's channel and settings
	 * @throws UnknownServiceException listing the known services, if there is no such service
	 */
	public ServiceChannel get(String name) {
		assertOpen();
		ServiceChannel channel = this.channels.get(name);
		if (channel == null) {
			throw new UnknownServiceException(name, this.channels.keySet());
		}
		return channel;
	}

	/**
	 * @return the names of the registered services
	 */
	public Set<String> getServiceNames() {
		return Collections.unmodifiableSet(this.channels.keySet());
	}

	/**
	 * Asks a service's channel to connect. Idempotent: a channel that is connecting or connected is
	 * left as it is.
	 * @param name the service name
	 * @return the channel's state
	 */
	public ConnectivityState connect(String name) {
		return getChannel(name).getState(true);
	}

	/**
	 * Asks every channel to connect.
	 */
	public void connectAll() {
		this.channels.keySet().forEach(this::connect);
	}

	/**
	 * Returns a service's connectivity state without asking it to connect.
	 * @param name the service name
	 * @return the state
	 */
	public ConnectivityState getState(String name) {
		return getChannel(name).getState(false);
	}

	/**
	 * @return every service's connectivity state, by name
	 */
	public Map<String, ConnectivityState> getStates() {
		Map<String, ConnectivityState> states = new TreeMap<>();
		this.channels.forEach((name, channel) -> states.put(name, channel.managedChannel().getState(false)));
		return states;
	}

	/**
	 * Waits until a channel is READY, asking it to connect while it is not.
	 * @param name the service name
	 * @param timeoutMillis the longest wait
	 * @return whether the channel became READY in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean awaitReady(String name, long timeoutMillis) throws InterruptedException {
		ManagedChannel channel = getChannel(name);
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
		ConnectivityState state = channel.getState(true);
		while (state != ConnectivityState.READY) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0 || state == ConnectivityState.SHUTDOWN) {
				return false;
			}
			CountDownLatch changed = new CountDownLatch(1);
			channel.notifyWhenStateChanged(state, changed::countDown);
			changed.await(remaining, TimeUnit.NANOSECONDS);
			state = channel.getState(true);
		}
		return true;
	}

	@Override
	public void start() {
		this.running = true;
		this.channels.values().forEach(this::connectPerMode);
		for (ServiceChannel channel : this.channels.values()) {
			if (channel.service().getConnect() == ConnectMode.REQUIRED) {
				awaitRequired(channel.service());
			}
		}
	}

	private void connectPerMode(ServiceChannel channel) {
		if (channel.service().getConnect() != ConnectMode.LAZY) {
			channel.managedChannel().getState(true);
		}
	}

	private void awaitRequired(ServiceProperties service) {
		long timeout = service.getConnectTimeout().toMillis();
		try {
			if (awaitReady(service.getName(), timeout)) {
				return;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		throw new GrpcClientStartupException(
				"gRPC service '" + service.getName() + "' at '" + service.getAddress() + "' is required ('connect: required') "
						+ "but was not READY within " + ConfigurationViolation.format(service.getConnectTimeout()) + " (state "
						+ getState(service.getName()) + ").",
				"Start the service or fix its address, raise its 'connect-timeout', or set its 'connect' to 'eager' or "
						+ "'lazy' to start without it.");
	}

	@Override
	public void stop() {
		close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Shuts every channel down: new calls are refused at once, in-flight calls get up to their
	 * service's {@code shutdown-grace-period} to finish, and are then cancelled. Idempotent.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.running = false;
		long start = System.nanoTime();
		this.channels.values().forEach((channel) -> channel.managedChannel().shutdown());
		int cancelled = 0;
		int failed = 0;
		for (ServiceChannel channel : this.channels.values()) {
			long graceEnd = start + channel.service().getShutdownGracePeriod().toNanos();
			if (!awaitCalls(channel, graceEnd)) {
				cancelled++;
			}
			// No call is left (or the grace period is over): end the transports now rather than
			// wait for those grpc-java keeps open for a while after a channel went idle.
			channel.managedChannel().shutdownNow();
			if (!awaitTermination(channel.managedChannel(), TimeUnit.SECONDS.toNanos(1))) {
				failed++;
			}
		}
		if (cancelled > 0 || failed > 0) {
			logger.warn("Closed {} gRPC channels: {} still had calls running at the end of their shutdown grace period, "
					+ "which were cancelled; {} did not terminate", this.channels.size(), cancelled, failed);
		}
		else {
			logger.debug("Closed {} gRPC channels", this.channels.size());
		}
	}

	/**
	 * @return whether {@link #close()} has been called
	 */
	public boolean isClosed() {
		return this.closed;
	}

	/**
	 * Waits until a shut-down channel has no call in flight, or the grace period ends.
	 * @return whether every call finished in time
	 */
	private static boolean awaitCalls(ServiceChannel channel, long graceEnd) {
		ManagedChannel managed = channel.managedChannel();
		while (channel.inFlightCalls().getAsLong() > 0 && !managed.isTerminated()) {
			long remaining = graceEnd - System.nanoTime();
			if (remaining <= 0) {
				return false;
			}
			awaitTermination(managed, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(10)));
		}
		return true;
	}

	private static boolean awaitTermination(ManagedChannel channel, long nanos) {
		try {
			return channel.awaitTermination(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return channel.isTerminated();
		}
	}

	private void assertOpen() {
		if (this.closed) {
			throw new IllegalStateException("The gRPC channel registry is closed (the application is shutting down)");
		}
	}

}
