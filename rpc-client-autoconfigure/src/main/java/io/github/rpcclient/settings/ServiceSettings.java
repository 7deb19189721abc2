package io.github.rpcclient.settings;

import java.time.Duration;
import java.util.List;

import io.github.rpcclient.properties.ChannelProperties.Compression;
import io.github.rpcclient.properties.ChannelProperties.ConnectMode;

import org.springframework.lang.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * The resolved, validated and immutable settings of one service: {@code grpc-clients.defaults},
 * the service's own keys and the built-in defaults merged into one value, built once when the
 * service is registered. Every runtime part of a service (its channel, interceptors, breakers,
 * pods) reads these, and so do channel customizers.
 *
 * @param name unique name of the service
 * @param address where the service is, or {@code null} for a stateful service reached only through
 * its pods
 * @param timeout deadline of unary and server-streaming calls that carry none; zero for none
 * @param connect when the channel connects
 * @param connectTimeout time allowed to open a connection, and for {@code connect: required}
 * @param idleTimeout time without calls after which the channel releases its connections
 * @param maxInboundMessageSize largest response message accepted
 * @param maxInboundMetadataSize largest response metadata accepted
 * @param loadBalancingPolicy the grpc-java load-balancing policy
 * @param userAgent User-Agent prefix, or {@code null} for grpc-java's own
 * @param compression compression of request messages
 * @param shutdownGracePeriod time in-flight calls get at shutdown before they are cancelled
 * @param keepalive keepalive pings
 * @param tls transport security
 * @param retry retry of failed calls
 * @param hedging hedging of the service's idempotent methods
 * @param retryBuffer the request bytes kept to replay retried and hedged calls
 * @param circuitBreaker the circuit breaker
 * @param methods per-method overrides, in configuration order
 * @param stateful whether every call names a user and goes to that user's pod
 * @param pods the statically known pods of a stateful service
 * @param bulkhead the cap on calls in flight
 * @param rateLimiter the cap on calls started per period
 * @param proxy the streams of {@code RpcProxy} calls to the service's pods
 */
public record ServiceSettings(String name, @Nullable GrpcAddress address, Duration timeout, ConnectMode connect,
		Duration connectTimeout, Duration idleTimeout, DataSize maxInboundMessageSize, DataSize maxInboundMetadataSize,
		String loadBalancingPolicy, @Nullable String userAgent, Compression compression, Duration shutdownGracePeriod,
		KeepaliveSettings keepalive, TlsSettings tls, RetrySettings retry, HedgingSettings hedging,
		RetryBufferSettings retryBuffer, CircuitBreakerSettings circuitBreaker,
		List<MethodSettings> methods, boolean stateful, List<PodSettings> pods,
		BulkheadSettings bulkhead, RateLimiterSettings rateLimiter, ProxySettings proxy) {

	/**
	 * Copies the lists, so the settings cannot change after they are built.
	 */
	public ServiceSettings {
		methods = List.copyOf(methods);
		pods = List.copyOf(pods);
	}

	/**
	 * Returns the overrides of a method.
	 * @param fullMethodName the method, {@code package.Service/Method}
	 * @return its settings, or {@code null} if it has none of its own
	 */
	@Nullable
	public MethodSettings method(String fullMethodName) {
		for (MethodSettings method : this.methods) {
			if (method.name().equals(fullMethodName)) {
				return method;
			}
		}
		return null;
	}

	/**
	 * Describes where calls go, for messages: the address, or the pods of a stateful service.
	 * @return the description
	 */
	public String describeTarget() {
		return (this.address != null) ? this.address.text() : "its stateful pods";
	}

}
