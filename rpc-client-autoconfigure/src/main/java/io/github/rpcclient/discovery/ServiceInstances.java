package io.github.rpcclient.discovery;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClient;
import org.springframework.lang.Nullable;

/**
 * What the gRPC clients read from a {@link ServiceInstance}: its gRPC port and, for a pod of a
 * stateful service, its pod index, both from the instance's metadata.
 */
public final class ServiceInstances {

	/**
	 * Metadata keys that carry an instance's gRPC port, in the order they are read:
	 * {@code gRPC_port} (what grpc-spring's servers register), {@code gRPC.port} (its older key)
	 * and {@code grpc.port}. Without any, the instance's own port is used.
	 */
	public static final List<String> PORT_KEYS = List.of("gRPC_port", "gRPC.port", "grpc.port");

	/**
	 * Metadata keys that carry the pod index (1 or more) of an instance of a stateful service, in
	 * the order they are read.
	 */
	public static final List<String> POD_INDEX_KEYS = List.of("pod-index", "grpc.pod-index");

	private ServiceInstances() {
	}

	/**
	 * @param instance an instance
	 * @return its gRPC port: from its metadata, else its own port
	 * @throws IllegalArgumentException if the metadata's port is not a port number
	 */
	public static int grpcPort(ServiceInstance instance) {
		String port = firstOf(instance, PORT_KEYS);
		if (port == null) {
			return instance.getPort();
		}
		try {
			int number = Integer.parseInt(port.trim());
			if (number >= 1 && number <= 65535) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException("its gRPC port metadata '" + port + "' is not a port number");
	}

	/**
	 * @param instance an instance
	 * @return its pod index from its metadata, or empty if it has none
	 * @throws IllegalArgumentException if the metadata's index is not a number of 1 or more
	 */
	public static OptionalInt podIndex(ServiceInstance instance) {
		String index = firstOf(instance, POD_INDEX_KEYS);
		if (index == null) {
			return OptionalInt.empty();
		}
		try {
			int number = Integer.parseInt(index.trim());
			if (number >= 1) {
				return OptionalInt.of(number);
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException("its pod-index metadata '" + index + "' is not a number of 1 or more");
	}

	/**
	 * @param instance an instance
	 * @return {@code host:port} of its gRPC server, IPv6 hosts in brackets
	 * @throws IllegalArgumentException if its gRPC port metadata is invalid
	 */
	public static String hostAndPort(ServiceInstance instance) {
		String host = instance.getHost();
		return ((host.indexOf(':') >= 0 && !host.startsWith("[")) ? "[" + host + "]" : host) + ":"
				+ grpcPort(instance);
	}

	/**
	 * Describes a discovery client for messages: its own description, or those of the clients a
	 * composite client (what Spring Cloud injects) asks.
	 * @param client the client
	 * @return the description
	 */
	public static String describe(DiscoveryClient client) {
		if (client instanceof CompositeDiscoveryClient composite && !composite.getDiscoveryClients().isEmpty()) {
			return composite.getDiscoveryClients()
				.stream()
				.map(DiscoveryClient::description)
				.collect(Collectors.joining(", "));
		}
		return client.description();
	}

	/**
	 * Names an instance for messages.
	 * @param instance the instance
	 * @return its id and where it is
	 */
	public static String name(ServiceInstance instance) {
		return ((instance.getInstanceId() != null) ? instance.getInstanceId() + " " : "") + "at " + instance.getHost()
				+ ":" + instance.getPort();
	}

	@Nullable
	private static String firstOf(ServiceInstance instance, List<String> keys) {
		Map<String, String> metadata = instance.getMetadata();
		if (metadata == null) {
			return null;
		}
		for (String key : keys) {
			String value = metadata.get(key);
			if (value != null && !value.isBlank()) {
				return value;
			}
		}
		return null;
	}

}
