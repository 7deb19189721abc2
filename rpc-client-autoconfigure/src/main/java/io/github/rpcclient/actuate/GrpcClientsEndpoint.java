package io.github.rpcclient.actuate;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.rpcclient.actuate.PodAccess.PodDescriptor;
import io.github.rpcclient.actuate.ServiceDescriptor.CircuitBreakerDescriptor;
import io.github.rpcclient.actuate.ServiceDescriptor.MethodOverride;
import io.github.rpcclient.actuate.ServiceDescriptor.RetryDescriptor;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceChannel;
import io.github.rpcclient.channel.UnknownServiceException;
import io.github.rpcclient.interceptor.LogText;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;

/**
 * The {@code grpcclients} actuator endpoint. Read: every service with its target, resolved
 * addresses, channel state, settings, breaker state, call counts and, for a stateful service, its
 * pods; {@code /grpcclients/{name}} adds the per-method overrides (404 for an unknown name).
 * Write ({@code POST /grpcclients/{name}/{operation}}, body {@code {"pod": n}} where a pod is
 * named): {@code reconnect}, {@code reset-circuit-breaker}, {@code drain-pod}, {@code undrain-pod}.
 * Every write is logged at INFO with who (the principal, if any), what and when. Writes are
 * mutations: secure them (see the README).
 */
@Endpoint(id = "grpcclients")
public class GrpcClientsEndpoint {

	private static final Logger logger = LoggerFactory.getLogger(GrpcClientsEndpoint.class);

	private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(2);

	private final ManagedChannelRegistry registry;

	private final CircuitBreakerAccess breakers;

	private final PodAccess pods;

	/**
	 * Creates the endpoint.
	 * @param registry the services to report
	 * @param breakers the circuit breakers, or {@link CircuitBreakerAccess#NONE}
	 * @param pods the pods of stateful services, or {@link PodAccess#NONE}
	 */
	public GrpcClientsEndpoint(ManagedChannelRegistry registry, CircuitBreakerAccess breakers, PodAccess pods) {
		this.registry = registry;
		this.breakers = breakers;
		this.pods = pods;
	}

	/**
	 * @return every service, by name
	 */
	@ReadOperation
	public Map<String, ServiceDescriptor> services() {
		Map<String, ServiceDescriptor> services = new TreeMap<>();
		for (String name : this.registry.getServiceNames()) {
			ServiceChannel channel = find(name);
			if (channel != null) {
				services.put(name, describe(channel, false));
			}
		}
		return services;
	}

	/**
	 * @param name a service name
	 * @return that service with its per-method overrides, or {@code null} (404) if there is none
	 */
	@ReadOperation
	@Nullable
	public ServiceDescriptor service(@Selector String name) {
		ServiceChannel channel = find(name);
		return (channel != null) ? describe(channel, true) : null;
	}

	/**
	 * Acts on one service.
	 * @param name the service name
	 * @param operation {@code reconnect}, {@code reset-circuit-breaker}, {@code drain-pod} or
	 * {@code undrain-pod}
	 * @param pod the pod index, for the pod operations (and to reset one pod's breaker)
	 * @param security who asks
	 * @return what was done; 404 for an unknown service, 400 for an unknown operation or a
	 * missing pod
	 */
	@WriteOperation
	public WebEndpointResponse<Map<String, Object>> operate(@Selector String name, @Selector String operation,
			@Nullable Integer pod, @Nullable SecurityContext security) {
		ServiceChannel channel = find(name);
		if (channel == null) {
			return response(404, Map.of("error", "no gRPC service named '" + name + "'"));
		}
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("service", name);
		result.put("operation", operation);
		if (pod != null) {
			result.put("pod", pod);
		}
		ServiceSettings service = channel.settings();
		switch (operation) {
			case "reconnect" -> {
				ManagedChannel managed = channel.managedChannel();
				managed.resetConnectBackoff();
				result.put("state", managed.getState(true).name());
			}
			case "reset-circuit-breaker" -> result.put("reset", resetBreakers(service, pod));
			case "drain-pod", "undrain-pod" -> {
				if (!service.stateful() || pod == null) {
					return response(400, Map.of("error", "'" + operation
							+ "' needs a stateful service and a pod: POST {\"pod\": <index>}"));
				}
				result.put("changed", this.pods.drain(name, pod, operation.equals("drain-pod")));
			}
			default -> {
				return response(400, Map.of("error", "unknown operation; use reconnect, reset-circuit-breaker, "
						+ "drain-pod or undrain-pod"));
			}
		}
		logger.info("grpcclients: {} {}{} by {} at {}: {}", LogText.escape(operation), LogText.escape(name),
				(pod != null) ? " pod " + pod : "", who(security), Instant.now(), result);
		return response(200, result);
	}

	private List<String> resetBreakers(ServiceSettings service, @Nullable Integer pod) {
		List<String> names = new ArrayList<>();
		if (!service.stateful()) {
			names.add(service.name());
		}
		else if (pod != null) {
			names.add(CircuitBreakerAccess.podBreakerName(service.name(), pod));
		}
		else {
			podsOf(service).forEach((each) -> names.add(CircuitBreakerAccess.podBreakerName(service.name(), each.index())));
		}
		return names.stream().filter(this.breakers::reset).toList();
	}

	private static String who(@Nullable SecurityContext security) {
		Principal principal = (security != null) ? security.getPrincipal() : null;
		return (principal != null) ? "'" + LogText.escape(principal.getName()) + "'" : "an anonymous caller";
	}

	private static <T> WebEndpointResponse<T> response(int status, T body) {
		return new WebEndpointResponse<>(body, status);
	}

	@Nullable
	private ServiceChannel find(String name) {
		try {
			return this.registry.get(name);
		}
		catch (UnknownServiceException ex) {
			return null;
		}
	}

	private ServiceDescriptor describe(ServiceChannel channel, boolean withMethods) {
		ServiceSettings service = channel.settings();
		List<PodDescriptor> pods = service.stateful() ? podsOf(service) : null;
		List<String> resolved = (pods != null)
				? pods.stream().filter((pod) -> pod.address() != null).map(PodDescriptor::address).toList()
				: ResolvedAddresses.of(service.address(), RESOLVE_TIMEOUT);
		ConnectivityState state = channel.managedChannel().getState(false);
		String breakerState = service.stateful() ? null : this.breakers.state(service.name());
		return new ServiceDescriptor((service.address() != null) ? service.address().text() : null, resolved,
				state.name(), service.stateful(), service.loadBalancingPolicy(), service.connect().name().toLowerCase(),
				ServiceDescriptor.format(service.timeout()), service.tls().enabled(),
				RetryDescriptor.of(service.retry()),
				CircuitBreakerDescriptor.of(service.circuitBreaker(), breakerState), service.bulkhead().enabled(),
				service.rateLimiter().enabled(), channel.calls().inFlight(), channel.calls().started(),
				channel.calls().failed(), pods,
				withMethods ? service.methods().stream().map(MethodOverride::of).toList() : null);
	}

	private List<PodDescriptor> podsOf(ServiceSettings service) {
		List<PodDescriptor> described;
		try {
			described = this.pods.pods(service.name());
		}
		catch (RuntimeException ex) {
			return List.of();
		}
		return described.stream()
			.map((pod) -> pod.withCircuitBreaker(
					this.breakers.state(CircuitBreakerAccess.podBreakerName(service.name(), pod.index()))))
			.toList();
	}

}
