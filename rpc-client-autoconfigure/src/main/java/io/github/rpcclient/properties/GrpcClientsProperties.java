package io.github.rpcclient.properties;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration of the gRPC clients: {@code grpc-clients.*}.
 */
@ConfigurationProperties("grpc-clients")
public class GrpcClientsProperties {

	/**
	 * Whether the gRPC client auto-configuration is active.
	 */
	private boolean enabled = true;

	/**
	 * Settings every service inherits unless it sets them itself.
	 */
	@NestedConfigurationProperty
	private ChannelProperties defaults = new ChannelProperties();

	/**
	 * The services to call. Each takes 'name', 'address', 'methods', 'stateful', 'pods' and every
	 * key of 'grpc-clients.defaults'.
	 */
	private List<ServiceProperties> services = new ArrayList<>();

	/**
	 * Request-id propagation.
	 */
	@NestedConfigurationProperty
	private RequestIdProperties requestId = new RequestIdProperties();

	/**
	 * Call logging.
	 */
	@NestedConfigurationProperty
	private CallLoggingProperties logging = new CallLoggingProperties();

	/**
	 * Micrometer observation of calls.
	 */
	@NestedConfigurationProperty
	private ObservationProperties observation = new ObservationProperties();

	/**
	 * Meters of calls, channels and stateful routing.
	 */
	@NestedConfigurationProperty
	private MetricsProperties metrics = new MetricsProperties();

	/**
	 * Stateful routing: links between users and pods kept in Redis.
	 */
	@NestedConfigurationProperty
	private RoutingProperties routing = new RoutingProperties();

	/**
	 * Calls by message id through RpcProxy, and the router that answers them.
	 */
	@NestedConfigurationProperty
	private RpcProxyProperties proxy = new RpcProxyProperties();

	/**
	 * discovery:///service-id addresses, resolved through Spring Cloud's DiscoveryClient.
	 */
	@NestedConfigurationProperty
	private DiscoveryProperties discovery = new DiscoveryProperties();

	/**
	 * The health indicator.
	 */
	private HealthProperties health = new HealthProperties();

	/**
	 * What to do with keys under 'grpc-clients' that no setting has (misspelt ones, say): fail
	 * start-up (the default), or only log a warning.
	 */
	private UnknownKeys unknownKeys = UnknownKeys.FAIL;

	public HealthProperties getHealth() {
		return this.health;
	}

	public void setHealth(HealthProperties health) {
		this.health = health;
	}

	public UnknownKeys getUnknownKeys() {
		return this.unknownKeys;
	}

	public void setUnknownKeys(UnknownKeys unknownKeys) {
		this.unknownKeys = unknownKeys;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public ChannelProperties getDefaults() {
		return this.defaults;
	}

	public void setDefaults(ChannelProperties defaults) {
		this.defaults = defaults;
	}

	public List<ServiceProperties> getServices() {
		return this.services;
	}

	public void setServices(List<ServiceProperties> services) {
		this.services = services;
	}

	public RequestIdProperties getRequestId() {
		return this.requestId;
	}

	public void setRequestId(RequestIdProperties requestId) {
		this.requestId = requestId;
	}

	public RpcProxyProperties getProxy() {
		return this.proxy;
	}

	public void setProxy(RpcProxyProperties proxy) {
		this.proxy = proxy;
	}

	public RoutingProperties getRouting() {
		return this.routing;
	}

	public void setRouting(RoutingProperties routing) {
		this.routing = routing;
	}

	public DiscoveryProperties getDiscovery() {
		return this.discovery;
	}

	public void setDiscovery(DiscoveryProperties discovery) {
		this.discovery = discovery;
	}

	public CallLoggingProperties getLogging() {
		return this.logging;
	}

	public void setLogging(CallLoggingProperties logging) {
		this.logging = logging;
	}

	public ObservationProperties getObservation() {
		return this.observation;
	}

	public void setObservation(ObservationProperties observation) {
		this.observation = observation;
	}

	public MetricsProperties getMetrics() {
		return this.metrics;
	}

	public void setMetrics(MetricsProperties metrics) {
		this.metrics = metrics;
	}

	/**
	 * What start-up does with keys that no setting has.
	 */
	public enum UnknownKeys {

		/** Fail start-up, naming each key and the closest known one. */
		FAIL,

		/** Log a warning naming each key and the closest known one. */
		WARN

	}

}
