package io.github.rpcclient.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.proxy.server.RpcHandlerException;
import io.github.rpcclient.proxy.server.RpcHandlerRegistry;
import io.github.rpcclient.proxy.server.RpcRouterService;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

/**
 * A real router on a loopback port: an {@link RpcRouterService} with the test handlers, answering
 * as one pod. Can be stopped abruptly and restarted on the same port.
 * <ul>
 * <li>{@code echo}: the content back, as it came</li>
 * <li>{@code login}: {@link Login} JSON in, {@link LoginReply} JSON out (with this pod's index);
 * password "wrong" fails with BAD_PASSWORD</li>
 * <li>{@code whoami}: {@code {pod, user, source, requestId}} as JSON</li>
 * <li>{@code slow}: the content back after 50 ms, holding no thread</li>
 * <li>{@code ignore}: the content back, except for the text "ignore me", never answered</li>
 * <li>{@code stall}: never answered</li>
 * <li>{@code fail}: throws IllegalStateException("boom")</li>
 * </ul>
 */
final class RouterBackend implements AutoCloseable {

	record Login(String user, String password) {
	}

	record LoginReply(String user, int pod, String token) {
	}

	private static final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "router-backend-delay");
		thread.setDaemon(true);
		return thread;
	});

	private final int pod;

	final RpcRouterService router;

	final AtomicInteger calls = new AtomicInteger();

	/** Calls of 'stall' and 'ignore' left unanswered. */
	final AtomicInteger unanswered = new AtomicInteger();

	/** Fails this many next calls with UNAVAILABLE before they reach the router. */
	final AtomicInteger failNext = new AtomicInteger();

	final Map<String, String> lastHeaders = new java.util.concurrent.ConcurrentHashMap<>();

	private final BindableService service;

	private int port;

	private Server server;

	private RouterBackend(int pod, BindableService service) {
		this.pod = pod;
		ObjectMapper mapper = new ObjectMapper();
		RpcHandlerRegistry handlers = new RpcHandlerRegistry()
			.register("echo", (request) -> request.content())
			.register("login", (request) -> {
				Login login = request.content().as(Login.class);
				if ("wrong".equals(login.password())) {
					throw new RpcHandlerException("BAD_PASSWORD", "wrong password for " + login.user());
				}
				return new LoginReply(login.user(), pod, "token-" + login.user());
			})
			.register("whoami", (request) -> Map.of("pod", pod, "user", request.userId(), "source",
					request.sourceService(), "requestId", request.requestId()))
			.register("slow", (request) -> {
				CompletableFuture<RpcContent> reply = new CompletableFuture<>();
				delays.schedule(() -> reply.complete(request.content()), 50, TimeUnit.MILLISECONDS);
				return reply;
			})
			.register("ignore", (request) -> "\"ignore me\"".equals(request.content().json()) ? unanswered()
					: request.content())
			.register("stall", (request) -> unanswered())
			.register("fail", (request) -> {
				throw new IllegalStateException("boom");
			});
		this.router = new RpcRouterService(handlers, mapper);
		this.service = (service != null) ? service : this.router;
	}

	private CompletableFuture<RpcContent> unanswered() {
		this.unanswered.incrementAndGet();
		return new CompletableFuture<>();
	}

	static RouterBackend start(int pod) {
		return new RouterBackend(pod, null).restart();
	}

	/** Starts a backend serving another implementation of RouterService. */
	static RouterBackend start(BindableService service) {
		return new RouterBackend(0, service).restart();
	}

	RouterBackend restart() {
		ServerInterceptor faults = new ServerInterceptor() {

			@Override
			public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
					ServerCallHandler<Q, R> next) {
				RouterBackend.this.calls.incrementAndGet();
				headers.keys().forEach((key) -> {
					if (!key.endsWith("-bin")) {
						RouterBackend.this.lastHeaders.put(key,
								String.valueOf(headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))));
					}
				});
				if (RouterBackend.this.failNext.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
					call.close(Status.UNAVAILABLE.withDescription("injected"), new Metadata());
					return new ServerCall.Listener<>() {
					};
				}
				return next.startCall(call, headers);
			}

		};
		try {
			this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", this.port),
					InsecureServerCredentials.create())
				.addService(ServerInterceptors.intercept(this.service, faults))
				.build()
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.port = this.server.getPort();
		return this;
	}

	/** Stops the server at once: open streams and connections are cut. */
	void kill() {
		this.server.shutdownNow();
		try {
			this.server.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	int pod() {
		return this.pod;
	}

	String address() {
		return "127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		kill();
		this.router.close();
	}

}
