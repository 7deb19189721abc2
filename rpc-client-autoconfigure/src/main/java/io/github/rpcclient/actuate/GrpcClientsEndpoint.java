package io.github.rpcclient.actuate;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceChannel;
import io.github.rpcclient.settings.ServiceSettings;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code grpcclients} actuator endpoint: every configured service with its address, channel
 * state and main settings.
 */
@Endpoint(id = "grpcclients")
public class GrpcClientsEndpoint {

	private final ManagedChannelRegistry registry;

	/**
	 * Creates the endpoint.
	 * @param registry the channels to report
	 */
	public GrpcClientsEndpoint(ManagedChannelRegistry registry) {
		this.registry = registry;
	}

	/**
	 * @return every service, by name
	 */
	@ReadOperation
	public Map<String, ServiceDescriptor> services() {
		Map<String, ServiceDescriptor> services = new TreeMap<>();
		for (String name : this.registry.getServiceNames()) {
			services.put(name, describe(this.registry.get(name)));
		}
		return services;
	}

	/**
	 * @param name a service name
	 * @return that service
	 */
	@ReadOperation
	public ServiceDescriptor service(@Selector String name) {
		return describe(this.registry.get(name));
	}

	private static ServiceDescriptor describe(ServiceChannel channel) {
		ServiceSettings service = channel.settings();
		return new ServiceDescriptor((service.address() != null) ? service.address().text() : null,
				channel.managedChannel().getState(false).name(), service.stateful(), service.tls().enabled(),
				service.loadBalancingPolicy(), service.connect().name().toLowerCase(), service.timeout(),
				service.retry().enabled(), service.circuitBreaker().enabled(), service.bulkhead().enabled(),
				service.rateLimiter().enabled());
	}

	/**
	 * What the endpoint reports of one service.
	 *
	 * @param address the configured address
	 * @param state the channel's connectivity state
	 * @param stateful whether calls are pinned to a user's pod
	 * @param tls whether the channel uses TLS
	 * @param loadBalancingPolicy the load-balancing policy
	 * @param connect the connect mode
	 * @param timeout the default deadline
	 * @param retry whether retry is on
	 * @param circuitBreaker whether the circuit breaker is on
	 * @param bulkhead whether the bulkhead is on
	 * @param rateLimiter whether the rate limiter is on
	 */
	public record ServiceDescriptor(String address, String state, boolean stateful, boolean tls,
			String loadBalancingPolicy, String connect, Duration timeout, boolean retry, boolean circuitBreaker,
			boolean bulkhead, boolean rateLimiter) {
	}

}
