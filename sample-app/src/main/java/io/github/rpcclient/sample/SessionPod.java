package io.github.rpcclient.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.proxy.server.RpcHandlerRegistry;
import io.github.rpcclient.proxy.server.RpcRouterService;
import io.github.rpcclient.route.PodHeartbeatPublisher;
import io.github.rpcclient.route.PodState;
import io.github.rpcclient.sample.proto.JoinReply;
import io.github.rpcclient.sample.proto.JoinRequest;
import io.github.rpcclient.sample.proto.SessionServiceGrpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One pod of the sample's stateful session service: a gRPC server that keeps its users' sessions
 * in memory, plus what a real backend pod runs to announce itself — the starter with
 * {@code grpc-clients.routing.publish.*} set, which publishes a heartbeat to Redis and marks the
 * pod DRAINING on graceful shutdown.
 */
final class SessionPod {

	private final int index;

	private final Server server;

	private final ConfigurableApplicationContext publisherContext;

	private SessionPod(int index, Server server, ConfigurableApplicationContext publisherContext) {
		this.index = index;
		this.server = server;
		this.publisherContext = publisherContext;
	}

	static SessionPod start(int index, int redisPort) {
		Sessions sessions = new Sessions(index);
		try {
			Server server = NettyServerBuilder
				.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
				.addService(sessions)
				.addService(new RpcRouterService(router(index, sessions), new ObjectMapper()))
				.build()
				.start();
			ConfigurableApplicationContext context = new SpringApplicationBuilder(PodApplication.class)
				.web(WebApplicationType.NONE)
				.bannerMode(Banner.Mode.OFF)
				.logStartupInfo(false)
				.properties("spring.config.name=session-pod", "spring.data.redis.host=127.0.0.1",
						"spring.data.redis.port=" + redisPort, "grpc-clients.routing.heartbeat-ttl=3s",
						"grpc-clients.routing.publish.enabled=true", "grpc-clients.routing.publish.service=session",
						"grpc-clients.routing.publish.index=" + index,
						"grpc-clients.routing.publish.address=127.0.0.1:" + server.getPort())
				.run();
			return new SessionPod(index, server, context);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The pod's router, which RpcProxy calls reach over one stream per client: {@code echo} (bytes
	 * back as they came) and {@code login} (JSON: joins the user's session on this pod).
	 */
	private static RpcHandlerRegistry router(int index, Sessions sessions) {
		return new RpcHandlerRegistry().register("echo", (request) -> request.content()).register("login", (request) -> {
			String user = request.content().as(Login.class).user();
			sessions.users.add(user);
			return Map.of("user", user, "pod", index, "usersOnPod", sessions.users.size());
		});
	}

	/** The content of a login. */
	record Login(String user) {
	}

	int index() {
		return this.index;
	}

	/** Keeps serving its users but takes no new ones, as a pod being rolled does. */
	void drain() {
		this.publisherContext.getBean(PodHeartbeatPublisher.class).setState(PodState.DRAINING);
	}

	/** Stops the pod at once: its server and its heartbeat. */
	void kill() {
		this.server.shutdownNow();
		this.publisherContext.close();
	}

	/** The backend side of a pod: only auto-configuration, so it only publishes. */
	@EnableAutoConfiguration
	static class PodApplication {

	}

	/** The session service of one pod. */
	private static final class Sessions extends SessionServiceGrpc.SessionServiceImplBase {

		private final int index;

		private final Set<String> users = ConcurrentHashMap.newKeySet();

		Sessions(int index) {
			this.index = index;
		}

		@Override
		public void join(JoinRequest request, StreamObserver<JoinReply> observer) {
			this.users.add(request.getUser());
			observer.onNext(JoinReply.newBuilder().setPod(this.index).setUsersOnPod(this.users.size()).build());
			observer.onCompleted();
		}

	}

}
