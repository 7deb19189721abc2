package io.github.rpcclient.channel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import io.github.rpcclient.properties.ServiceProperties;
import io.github.rpcclient.settings.ServiceSettings;
import io.github.rpcclient.settings.ServiceSettingsFactory;
import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;

import org.springframework.context.SmartLifecycle;

/**
 * Holds one {@link ManagedChannel} per service, shared by all of the service's stubs, and hands
 * the channels out. A service registered here gets its transport from {@link ServiceTransports}
 * and its interceptor chain from the {@link CallChainAssembler}; it connects as its
 * {@code connect} mode says once the registry is started. {@link #close()} shuts every channel down
 * gracefully; as a {@link SmartLifecycle} the registry does so on context shutdown, after the
 * embedded web server has drained its requests.
 */
public class ManagedChannelRegistry implements SmartLifecycle, AutoCloseable {

	/**
	 * Lifecycle phase: started before and stopped after the web server and its graceful shutdown.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final Map<String, ServiceChannel> channels = new ConcurrentHashMap<>();

	private final ServiceSettingsFactory settingsFactory;

	private final ServiceTransports transports;

	private final CallChainAssembler chains;

	private volatile boolean running;

	private volatile boolean closed;

	/**
	 * Creates a registry with no services.
	 * @param settingsFactory resolves services registered by name, address or properties
	 * @param transports picks the transport channel of each service
	 * @param chains puts each service's interceptor chain in front of its channel
	 */
	public ManagedChannelRegistry(ServiceSettingsFactory settingsFactory, ServiceTransports transports,
			CallChainAssembler chains) {
		this.settingsFactory = settingsFactory;
		this.transports = transports;
		this.chains = chains;
	}

	/**
	 * Registers a service with the configured defaults.
	 * @param name the service name
	 * @param address the service address
	 * @return the registered channel
	 * @throws io.github.rpcclient.settings.InvalidServiceConfigurationException if the name or address is invalid
	 * @throws IllegalStateException if the name is taken or the registry is closed
	 */
	public ServiceChannel register(String name, String address) {
		return register(this.settingsFactory.newService(name, address));
	}

	/**
	 * Registers a service described like an entry of {@code grpc-clients.services[]}; it is checked
	 * as the configured ones are. Bind it with
	 * {@link io.github.rpcclient.properties.ServicePropertiesBinder#newService} to inherit the
	 * configured defaults.
	 * @param service the service
	 * @return the registered channel
	 * @throws io.github.rpcclient.settings.InvalidServiceConfigurationException if the service is invalid
	 * @throws IllegalStateException if the name is taken or the registry is closed
	 */
	public ServiceChannel register(ServiceProperties service) {
		return register(this.settingsFactory.resolve(service));
	}

	/**
	 * Registers a service.
	 * @param service the resolved settings of the service
	 * @return the registered channel
	 * @throws IllegalStateException if the name is taken or the registry is closed
	 */
	public ServiceChannel register(ServiceSettings service) {
		assertOpen();
		ServiceChannel created = this.channels.computeIfAbsent(service.name(), (name) -> build(service));
		if (created.settings() != service) {
			throw new IllegalStateException("A gRPC service named '" + service.name() + "' is already registered");
		}
		if (this.running) {
			ServiceConnector.connectPerMode(created);
		}
		return created;
	}

	private ServiceChannel build(ServiceSettings service) {
		ManagedChannel channel = this.transports.channelFor(service);
		try {
			return this.chains.assemble(service, channel);
		}
		catch (RuntimeException ex) {
			channel.shutdownNow();
			throw ex;
		}
	}

	/**
	 * Registers services, all or none: if one cannot be registered, those this call registered are
	 * removed again and their channels shut down.
	 * @param services the resolved settings of the services
	 */
	public void registerAll(List<ServiceSettings> services) {
		List<ServiceChannel> registered = new ArrayList<>(services.size());
		try {
			services.forEach((service) -> registered.add(register(service)));
		}
		catch (RuntimeException ex) {
			for (ServiceChannel channel : registered) {
				this.channels.remove(channel.settings().name(), channel);
				channel.managedChannel().shutdownNow();
			}
			throw ex;
		}
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
		return ServiceConnector.awaitReady(getChannel(name), timeoutMillis);
	}

	/**
	 * Connects every channel as its service's {@code connect} mode says, and waits for the required
	 * ones.
	 * @throws io.github.rpcclient.settings.GrpcClientStartupException if a required service is not
	 * READY within its connect timeout
	 */
	@Override
	public void start() {
		this.running = true;
		this.channels.values().forEach(ServiceConnector::connectPerMode);
		this.channels.values().forEach(ServiceConnector::awaitRequired);
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
		GracefulChannelShutdown.shutdown(this.channels.values());
	}

	/**
	 * @return whether {@link #close()} has been called
	 */
	public boolean isClosed() {
		return this.closed;
	}

	private void assertOpen() {
		if (this.closed) {
			throw new IllegalStateException("The gRPC channel registry is closed (the application is shutting down)");
		}
	}

}
