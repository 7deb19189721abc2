package io.github.rpcclient.settings;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.grpc.NameResolverRegistry;

/**
 * A parsed service address. Accepted forms: {@code host:port}, {@code static://h1:p1,h2:p2},
 * {@code dns:///host:port}, {@code discovery:///service-id} (the instances Spring Cloud's
 * {@code DiscoveryClient} lists), {@code in-process:name}, {@code unix:/path}, and
 * {@code scheme:///...} for any scheme registered with grpc-java's {@link NameResolverRegistry}.
 *
 * @param text the address as configured
 * @param kind what form the address takes
 * @param target the gRPC target string to build the channel for (the name, for in-process)
 */
public record GrpcAddress(String text, Kind kind, String target) {

	/** The accepted forms, for error messages. */
	public static final String FORMS = "host:port, static://host1:port1,host2:port2, dns:///host:port, "
			+ "discovery:///service-id, in-process:name or unix:/path";

	/** The scheme of the name resolver that serves {@code static://} addresses. */
	public static final String STATIC_SCHEME = "static";

	private static final String STATIC_PREFIX = STATIC_SCHEME + "://";

	/**
	 * The scheme of {@code discovery:///service-id} addresses, resolved through Spring Cloud's
	 * {@code DiscoveryClient} when the application has one.
	 */
	public static final String DISCOVERY_SCHEME = "discovery";

	/**
	 * Parses an address.
	 * @param address the configured address
	 * @return the parsed address
	 * @throws IllegalArgumentException naming what is wrong with the address
	 */
	public static GrpcAddress parse(String address) {
		if (address == null || address.isBlank()) {
			throw new IllegalArgumentException("is empty");
		}
		String value = address.trim();
		String lower = value.toLowerCase(Locale.ROOT);
		if (lower.startsWith("in-process:")) {
			String name = value.substring("in-process:".length());
			requireNonEmpty(name, "in-process name");
			return new GrpcAddress(value, Kind.IN_PROCESS, name);
		}
		if (lower.startsWith("unix:")) {
			requireNonEmpty(value.substring("unix:".length()).replaceFirst("^/+", ""), "socket path");
			return new GrpcAddress(value, Kind.UNIX, value);
		}
		if (lower.startsWith(STATIC_PREFIX)) {
			String list = value.substring(STATIC_PREFIX.length());
			for (String hostPort : list.split(",", -1)) {
				checkHostPort(hostPort.trim());
			}
			return new GrpcAddress(value, Kind.STATIC, STATIC_SCHEME + ":///" + escapeBrackets(list.replace(" ", "")));
		}
		int schemeEnd = value.indexOf("://");
		if (schemeEnd > 0) {
			String scheme = lower.substring(0, schemeEnd);
			if (scheme.equals("dns")) {
				String rest = value.substring(schemeEnd + 3);
				checkHostPort(rest.substring(rest.indexOf('/') + 1));
				return new GrpcAddress(value, Kind.DNS, escapeBrackets(value));
			}
			if (scheme.equals(DISCOVERY_SCHEME)) {
				return new GrpcAddress(value, Kind.DISCOVERY, DISCOVERY_SCHEME + ":///" + discoveryServiceId(value));
			}
			checkUri(value);
			if (NameResolverRegistry.getDefaultRegistry().getProviderForScheme(scheme) == null) {
				throw new IllegalArgumentException("uses scheme '" + scheme
						+ "', which no grpc-java NameResolverProvider on the classpath serves");
			}
			return new GrpcAddress(value, Kind.RESOLVER, value);
		}
		checkHostPort(value);
		return new GrpcAddress(value, Kind.DNS, "dns:///" + escapeBrackets(value));
	}

	/**
	 * @return the service id of a {@code discovery:///service-id} address
	 * @throws IllegalStateException if this is not a discovery address
	 */
	public String serviceId() {
		if (this.kind != Kind.DISCOVERY) {
			throw new IllegalStateException("'" + this.text + "' is not a discovery:/// address");
		}
		return this.target.substring(DISCOVERY_SCHEME.length() + 4);
	}

	@Override
	public String toString() {
		return this.text;
	}

	/**
	 * Parses one {@code host:port} pair, IPv6 hosts in brackets.
	 * @param hostPort the pair
	 * @return the host and the port
	 */
	static HostAndPort parseHostPort(String hostPort) {
		checkHostPort(hostPort);
		int colon = hostPort.lastIndexOf(':');
		String host = hostPort.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		return new HostAndPort(host, Integer.parseInt(hostPort.substring(colon + 1)));
	}

	/**
	 * Splits the path of a {@code static:///} target into its pairs.
	 * @param path the comma-separated pairs
	 * @return the pairs
	 */
	public static List<HostAndPort> parseStaticList(String path) {
		List<HostAndPort> result = new ArrayList<>();
		for (String hostPort : path.split(",")) {
			result.add(parseHostPort(hostPort.trim()));
		}
		return result;
	}

	private static void checkHostPort(String hostPort) {
		int colon = hostPort.lastIndexOf(':');
		if (colon <= 0 || hostPort.endsWith("]")) {
			throw new IllegalArgumentException("'" + hostPort + "' has no port (expected host:port)");
		}
		String host = hostPort.substring(0, colon);
		if (host.isBlank() || host.contains("/") || (host.contains(":") && !host.startsWith("["))) {
			throw new IllegalArgumentException("'" + hostPort + "' has no valid host (IPv6 hosts go in brackets)");
		}
		String port = hostPort.substring(colon + 1);
		try {
			int number = Integer.parseInt(port);
			if (number < 1 || number > 65535) {
				throw new NumberFormatException();
			}
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + hostPort + "' has port '" + port
					+ "', which is not a number from 1 to 65535");
		}
	}

	/**
	 * Percent-encodes the brackets of IPv6 hosts, which grpc-java does not accept in a target's
	 * path; name resolvers see the decoded path.
	 */
	private static String escapeBrackets(String value) {
		return value.replace("[", "%5B").replace("]", "%5D");
	}

	private static String discoveryServiceId(String value) {
		checkUri(value);
		URI uri = URI.create(value);
		String path = (uri.getPath() != null) ? uri.getPath() : "";
		String serviceId = path.startsWith("/") ? path.substring(1) : path;
		if (uri.getAuthority() != null || serviceId.isEmpty() || serviceId.contains("/") || uri.getQuery() != null
				|| uri.getFragment() != null) {
			throw new IllegalArgumentException("is not of the form discovery:///service-id");
		}
		return serviceId;
	}

	private static void checkUri(String value) {
		try {
			new URI(value);
		}
		catch (Exception ex) {
			throw new IllegalArgumentException("is not a valid URI: " + ex.getMessage());
		}
	}

	private static void requireNonEmpty(String value, String what) {
		if (value.isBlank()) {
			throw new IllegalArgumentException("has an empty " + what);
		}
	}

	/**
	 * The forms an address takes.
	 */
	public enum Kind {

		/** {@code host:port} or {@code dns:///host:port}. */
		DNS,
		/** A fixed list of {@code host:port} pairs. */
		STATIC,
		/** An in-process server name. */
		IN_PROCESS,
		/** A Unix domain socket. */
		UNIX,
		/** A target served by a registered name resolver. */
		RESOLVER,
		/** A service id looked up in Spring Cloud's {@code DiscoveryClient}. */
		DISCOVERY

	}

	/**
	 * A host and a port.
	 *
	 * @param host the host name or IP literal
	 * @param port the port
	 */
	public record HostAndPort(String host, int port) {
	}

}
