package io.github.rpcclient.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.github.rpcclient.proxy.RpcContent;
import io.github.rpcclient.proxy.RpcProxy;
import io.github.rpcclient.proxy.RpcProxyFactory;
import io.github.rpcclient.proxy.server.RpcHandlerRegistry;
import io.github.rpcclient.proxy.server.RpcRouterService;
import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;
import io.github.rpcclient.proxy.wire.ContentType;
import io.github.rpcclient.proxy.wire.RouterServiceGrpc;
import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.test.EmbeddedRedis;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Small JSON calls by message id at 16 concurrent callers, against one router on loopback (an
 * {@link RpcRouterService} whose {@code echo} handler returns the content): an {@link RpcProxy} of a
 * stateless service (one unary call each, default chain), an RpcProxy of a stateful service (each
 * caller its own user, all linked to the one pod, multiplexed on that pod's one stream), and the
 * generated {@code RouterServiceGrpc} blocking stub making the same unary call through the same
 * chain.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(16)
public class RpcProxyBenchmark {

	private static final String JSON = "{\"user\":\"alice\",\"action\":\"move\",\"x\":12,\"y\":-3}";

	private static final AtomicInteger users = new AtomicInteger();

	private EmbeddedRedis redis;

	private Server server;

	private ConfigurableApplicationContext context;

	private RpcProxy stateless;

	private RpcProxy stateful;

	private RouterServiceGrpc.RouterServiceBlockingStub stub;

	@Setup(Level.Trial)
	public void setUp() throws IOException {
		this.redis = EmbeddedRedis.start();
		RpcHandlerRegistry handlers = new RpcHandlerRegistry().register("echo", (request) -> request.content());
		try {
			this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
					InsecureServerCredentials.create())
				.addService(new RpcRouterService(handlers, new ObjectMapper()))
				.build()
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		String address = "127.0.0.1:" + this.server.getPort();
		this.context = BenchmarkApplication.starter()
			.properties("spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + this.redis.port(), "grpc-clients.services[0].name=router",
					"grpc-clients.services[0].address=" + address, "grpc-clients.services[1].name=router-pods",
					"grpc-clients.services[1].stateful=true", "grpc-clients.services[1].pods[0].index=1",
					"grpc-clients.services[1].pods[0].address=" + address)
			.run();
		RpcProxyFactory proxies = this.context.getBean(RpcProxyFactory.class);
		this.stateless = proxies.proxy("router");
		this.stateful = proxies.proxy("router-pods");
		this.stub = this.context.getBean(GrpcClientFactory.class)
			.stub("router", RouterServiceGrpc.RouterServiceBlockingStub.class);
		check(this.stateless.call("echo", RpcContent.json(JSON)).json());
		check(this.stateful.forUser("warm-up").call("echo", RpcContent.json(JSON)).json());
	}

	private static void check(String json) {
		if (!JSON.equals(json)) {
			throw new IllegalStateException("The router did not echo the JSON: " + json);
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.context.close();
		this.server.shutdownNow();
		this.redis.close();
	}

	/** Each benchmark thread is a user of its own (linked once, then answered by the near cache). */
	@State(Scope.Thread)
	public static class User {

		RpcProxy proxy;

		@Setup(Level.Trial)
		public void link(RpcProxyBenchmark benchmark) {
			this.proxy = benchmark.stateful.forUser("user-" + users.incrementAndGet());
			check(this.proxy.call("echo", RpcContent.json(JSON)).json());
		}

	}

	@Benchmark
	public String statelessUnaryProxy() {
		return this.stateless.call("echo", RpcContent.json(JSON)).json();
	}

	@Benchmark
	public String statefulMultiplexedStream(User user) {
		return user.proxy.call("echo", RpcContent.json(JSON)).json();
	}

	@Benchmark
	public String generatedStub() {
		CallResponse response = this.stub.call(CallRequest.newBuilder()
			.setRequestId("r")
			.setMsgId("echo")
			.setSrcService("bench")
			.setContentType(ContentType.CONTENT_TYPE_JSON)
			.addContent(ByteString.copyFromUtf8(JSON))
			.build());
		return response.getContent(0).toStringUtf8();
	}

}
