package io.github.rpcclient.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

/**
 * The gRPC backends the sample calls, started by the sample itself on free loopback ports so that
 * it runs anywhere. Their addresses are handed to the application as {@code sample.backends.*}
 * properties, which {@code application.yml} uses as service addresses.
 */
public final class SampleBackends implements AutoCloseable {

	private final List<Server> servers = new ArrayList<>();

	private final Map<String, Object> properties = new LinkedHashMap<>();

	private SampleBackends() {
	}

	/**
	 * Starts every backend.
	 * @return the running backends
	 */
	public static SampleBackends start() {
		SampleBackends backends = new SampleBackends();
		backends.serve("sample.backends.books", new BookBackend());
		return backends;
	}

	private void serve(String property, BindableService service) {
		try {
			Server server = NettyServerBuilder
				.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
				.addService(service)
				.build()
				.start();
			this.servers.add(server);
			this.properties.put(property, "127.0.0.1:" + server.getPort());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * @return the backend addresses, as properties
	 */
	public Map<String, Object> properties() {
		return this.properties;
	}

	@Override
	public void close() {
		this.servers.forEach(Server::shutdownNow);
	}

}
