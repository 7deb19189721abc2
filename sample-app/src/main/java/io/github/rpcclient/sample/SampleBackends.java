package io.github.rpcclient.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.proxy.server.RpcHandlerRegistry;
import io.github.rpcclient.proxy.server.RpcRouterService;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;

/**
 * Everything the sample talks to, started by the sample itself on free loopback ports so that it
 * runs anywhere: the book backend, a router (serving the application's {@code @RpcHandler}
 * methods), a Redis (the redis-server binary of embedded-redis) and three
 * session pods that publish themselves to it. Their addresses reach the application as
 * {@code sample.backends.*} properties, which {@code application.yml} uses.
 */
public final class SampleBackends implements AutoCloseable {

	/** Number of session pods. */
	static final int SESSION_PODS = 3;

	private final List<Server> servers = new ArrayList<>();

	private final Map<String, Object> properties = new LinkedHashMap<>();

	private final List<SessionPod> sessionPods = new ArrayList<>();

	private final BookBackend books = new BookBackend();

	/** The handlers of the sample's own router; the application's @RpcHandler methods register here. */
	private final RpcHandlerRegistry routerHandlers = new RpcHandlerRegistry();

	private final RpcRouterService router = new RpcRouterService(this.routerHandlers, new ObjectMapper());

	private RedisServer redis;

	private SampleBackends() {
	}

	/**
	 * Starts every backend.
	 * @return the running backends
	 */
	public static SampleBackends start() {
		SampleBackends backends = new SampleBackends();
		backends.serve("sample.backends.books", backends.books);
		backends.serve("sample.backends.router", backends.router);
		int redisPort = backends.startRedis();
		for (int index = 1; index <= SESSION_PODS; index++) {
			backends.sessionPods.add(SessionPod.start(index, redisPort));
		}
		return backends;
	}

	private int startRedis() {
		try (ServerSocket socket = new ServerSocket(0)) {
			int port = socket.getLocalPort();
			socket.close();
			this.redis = RedisServer.newRedisServer()
				.port(port)
				.bind("127.0.0.1")
				.setting("save \"\"")
				.setting("appendonly no")
				.build();
			this.redis.start();
			this.properties.put("spring.data.redis.host", "127.0.0.1");
			this.properties.put("spring.data.redis.port", port);
			return port;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
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

	BookBackend books() {
		return this.books;
	}

	SessionPod sessionPod(int index) {
		if (index < 1 || index > this.sessionPods.size()) {
			throw new IllegalArgumentException("There are session pods 1 to " + this.sessionPods.size());
		}
		return this.sessionPods.get(index - 1);
	}

	@Override
	public void close() {
		this.sessionPods.forEach(SessionPod::kill);
		this.servers.forEach(Server::shutdownNow);
		this.router.close();
		if (this.redis != null) {
			try {
				this.redis.stop();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	/**
	 * Starts the backends before the application context refreshes, hands their addresses to it,
	 * and stops them when it closes.
	 */
	public static class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

		@Override
		public void initialize(ConfigurableApplicationContext context) {
			SampleBackends backends = start();
			context.getEnvironment().getPropertySources().addLast(new MapPropertySource("sampleBackends", backends.properties()));
			LoggerFactory.getLogger(SampleBackends.class).info("Sample backends: {}", backends.properties());
			context.getBeanFactory().registerSingleton("sampleBackends", backends);
			// the router is served before the context starts: its handler registry is the one the
			// application's @RpcHandler methods register with
			context.getBeanFactory().registerSingleton("grpcRpcHandlerRegistry", backends.routerHandlers);
			context.getBeanFactory().registerSingleton("grpcRpcRouterService", backends.router);
			context.addApplicationListener((ContextClosedEvent event) -> {
				if (event.getApplicationContext() == context) {
					backends.close();
				}
			});
		}

	}

}
