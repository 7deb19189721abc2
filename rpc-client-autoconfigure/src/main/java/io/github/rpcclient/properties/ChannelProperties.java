package io.github.rpcclient.properties;

import java.time.Duration;

import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * Settings shared by every service: the type of {@code grpc-clients.defaults}. Each entry of
 * {@code grpc-clients.services[]} takes the same keys and inherits every key it leaves unset from
 * {@code grpc-clients.defaults}, and from the defaults shown here after that.
 */
public class ChannelProperties {

	/**
	 * Deadline applied to unary and server-streaming calls that carry none of their own. Zero means
	 * no deadline. Per-method 'methods[].timeout' overrides it for any call type.
	 */
	private Duration timeout = Duration.ofSeconds(30);

	/**
	 * When the channel connects: 'lazy' on the first call, 'eager' in the background at start-up,
	 * 'required' at start-up, failing start-up unless READY within 'connect-timeout'.
	 */
	private ConnectMode connect = ConnectMode.LAZY;

	/**
	 * Time allowed to open a connection, and for 'connect: required' to reach READY at start-up.
	 */
	private Duration connectTimeout = Duration.ofSeconds(10);

	/**
	 * Time without a call after which the channel releases its connections (IDLE).
	 */
	private Duration idleTimeout = Duration.ofMinutes(5);

	/**
	 * Largest response message accepted.
	 */
	private DataSize maxInboundMessageSize = DataSize.ofMegabytes(4);

	/**
	 * Largest response metadata (headers and trailers) accepted.
	 */
	private DataSize maxInboundMetadataSize = DataSize.ofKilobytes(8);

	/**
	 * Load-balancing policy across the addresses a service resolves to, such as 'pick_first' or
	 * 'round_robin'. Any policy registered with grpc-java's LoadBalancerRegistry is accepted.
	 */
	private String loadBalancingPolicy = "pick_first";

	/**
	 * User-Agent prefix sent with every call. Unset sends grpc-java's own.
	 */
	private String userAgent;

	/**
	 * Compression of request messages: 'none' or 'gzip'.
	 */
	private Compression compression = Compression.NONE;

	/**
	 * Time to wait for in-flight calls when the application shuts down, before they are cancelled.
	 */
	private Duration shutdownGracePeriod = Duration.ofSeconds(10);

	/**
	 * Connection keepalive pings.
	 */
	@NestedConfigurationProperty
	private KeepaliveProperties keepalive = new KeepaliveProperties();

	/**
	 * Transport security.
	 */
	@NestedConfigurationProperty
	private TlsProperties tls = new TlsProperties();

	/**
	 * Retry of failed calls.
	 */
	@NestedConfigurationProperty
	private RetryProperties retry = new RetryProperties();

	/**
	 * Hedging of calls: further attempts while the first is slow to answer.
	 */
	@NestedConfigurationProperty
	private HedgingProperties hedging = new HedgingProperties();

	/**
	 * Request bytes kept to replay retried and hedged calls.
	 */
	@NestedConfigurationProperty
	private RetryBufferProperties retryBuffer = new RetryBufferProperties();

	/**
	 * Circuit breaker guarding the service.
	 */
	@NestedConfigurationProperty
	private CircuitBreakerProperties circuitBreaker = new CircuitBreakerProperties();

	/**
	 * Cap on the service's calls in flight.
	 */
	@NestedConfigurationProperty
	private BulkheadProperties bulkhead = new BulkheadProperties();

	/**
	 * Cap on the calls the service starts per period.
	 */
	@NestedConfigurationProperty
	private RateLimiterProperties rateLimiter = new RateLimiterProperties();

	/**
	 * Streams of RpcProxy calls to the pods of a stateful service.
	 */
	@NestedConfigurationProperty
	private ProxyProperties proxy = new ProxyProperties();

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public ConnectMode getConnect() {
		return this.connect;
	}

	public void setConnect(ConnectMode connect) {
		this.connect = connect;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public DataSize getMaxInboundMessageSize() {
		return this.maxInboundMessageSize;
	}

	public void setMaxInboundMessageSize(DataSize maxInboundMessageSize) {
		this.maxInboundMessageSize = maxInboundMessageSize;
	}

	public DataSize getMaxInboundMetadataSize() {
		return this.maxInboundMetadataSize;
	}

	public void setMaxInboundMetadataSize(DataSize maxInboundMetadataSize) {
		this.maxInboundMetadataSize = maxInboundMetadataSize;
	}

	public String getLoadBalancingPolicy() {
		return this.loadBalancingPolicy;
	}

	public void setLoadBalancingPolicy(String loadBalancingPolicy) {
		this.loadBalancingPolicy = loadBalancingPolicy;
	}

	public String getUserAgent() {
		return this.userAgent;
	}

	public void setUserAgent(String userAgent) {
		this.userAgent = userAgent;
	}

	public Compression getCompression() {
		return this.compression;
	}

	public void setCompression(Compression compression) {
		this.compression = compression;
	}

	public Duration getShutdownGracePeriod() {
		return this.shutdownGracePeriod;
	}

	public void setShutdownGracePeriod(Duration shutdownGracePeriod) {
		this.shutdownGracePeriod = shutdownGracePeriod;
	}

	public KeepaliveProperties getKeepalive() {
		return this.keepalive;
	}

	public void setKeepalive(KeepaliveProperties keepalive) {
		this.keepalive = keepalive;
	}

	public TlsProperties getTls() {
		return this.tls;
	}

	public void setTls(TlsProperties tls) {
		this.tls = tls;
	}

	public RetryProperties getRetry() {
		return this.retry;
	}

	public void setRetry(RetryProperties retry) {
		this.retry = retry;
	}

	public HedgingProperties getHedging() {
		return this.hedging;
	}

	public void setHedging(HedgingProperties hedging) {
		this.hedging = hedging;
	}

	public RetryBufferProperties getRetryBuffer() {
		return this.retryBuffer;
	}

	public void setRetryBuffer(RetryBufferProperties retryBuffer) {
		this.retryBuffer = retryBuffer;
	}

	public CircuitBreakerProperties getCircuitBreaker() {
		return this.circuitBreaker;
	}

	public void setCircuitBreaker(CircuitBreakerProperties circuitBreaker) {
		this.circuitBreaker = circuitBreaker;
	}

	public BulkheadProperties getBulkhead() {
		return this.bulkhead;
	}

	public void setBulkhead(BulkheadProperties bulkhead) {
		this.bulkhead = bulkhead;
	}

	public ProxyProperties getProxy() {
		return this.proxy;
	}

	public void setProxy(ProxyProperties proxy) {
		this.proxy = proxy;
	}

	public RateLimiterProperties getRateLimiter() {
		return this.rateLimiter;
	}

	public void setRateLimiter(RateLimiterProperties rateLimiter) {
		this.rateLimiter = rateLimiter;
	}

	/**
	 * When a channel connects.
	 */
	public enum ConnectMode {

		/** Connect on the first call. */
		LAZY,
		/** Start connecting in the background at start-up. */
		EAGER,
		/** Connect at start-up and fail start-up unless READY within the connect timeout. */
		REQUIRED

	}

	/**
	 * Compression of request messages.
	 */
	public enum Compression {

		/** Send messages uncompressed. */
		NONE,
		/** Compress messages with gzip. */
		GZIP

	}

}
