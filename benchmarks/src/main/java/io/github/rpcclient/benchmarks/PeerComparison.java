package io.github.rpcclient.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.test.ForkedBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter's default chain beside the two Spring Boot gRPC client libraries it is compared with,
 * each as its users run it: its own Spring Boot context with Actuator on the classpath and nothing
 * but its own auto-configuration and Spring Boot's (the other libraries' auto-configurations are
 * excluded), its defaults, one channel to the same forked Netty backend, the same 16-byte unary
 * call through a blocking stub, all on the grpc-java of our BOM:
 * <ul>
 * <li>the starter: {@code grpc-clients.services[0]} and a stub from {@link GrpcClientFactory}
 * (what {@code @GrpcClient} injects), 30 s deadline by default;</li>
 * <li>grpc-spring ({@code net.devh}): {@code grpc.client.echo.*} and a stub on its
 * {@code GrpcChannelFactory}'s channel (what its {@code @GrpcClient} injects), its metrics
 * interceptor and its observation interceptor on; it has no deadline setting, so the stub is given
 * {@code withDeadlineAfter(30 s)} as its users do;</li>
 * <li>Spring gRPC: {@code spring.grpc.client.channels.echo.*} with {@code default-deadline=30s}
 * and a stub on its {@code GrpcChannelFactory}'s channel, its observation interceptor on.</li>
 * </ul>
 * Bare grpc-java, with and without a 30 s deadline, is measured beside them.
 */
public final class PeerComparison {

	/** The name of the call the others are compared with: bare grpc-java with a 30 s deadline. */
	static final String BASELINE = "bare+deadline";

	private static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("0123456789abcdef").build();

	private ForkedBackend backend;

	private ManagedChannel bareChannel;

	private EchoServiceGrpc.EchoServiceBlockingStub bare;

	private EchoServiceGrpc.EchoServiceBlockingStub starter;

	private EchoServiceGrpc.EchoServiceBlockingStub grpcSpring;

	private EchoServiceGrpc.EchoServiceBlockingStub springGrpc;

	private ConfigurableApplicationContext starterContext;

	private ConfigurableApplicationContext grpcSpringContext;

	private ConfigurableApplicationContext springGrpcContext;

	public void setUp() {
		this.backend = ForkedBackend.startOptimized();
		try {
			String address = this.backend.address();
			this.bareChannel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
			this.bare = EchoServiceGrpc.newBlockingStub(this.bareChannel);
			this.starterContext = context(BenchmarkApplication.STARTER, "grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].address=" + address);
			this.starter = this.starterContext.getBean(GrpcClientFactory.class)
				.stub("echo", EchoServiceGrpc.EchoServiceBlockingStub.class);
			this.grpcSpringContext = context(BenchmarkApplication.GRPC_SPRING, "grpc.client.echo.address=static://" + address,
					"grpc.client.echo.negotiation-type=plaintext");
			this.grpcSpring = EchoServiceGrpc.newBlockingStub(this.grpcSpringContext
				.getBean(net.devh.boot.grpc.client.channelfactory.GrpcChannelFactory.class)
				.createChannel("echo"));
			this.springGrpcContext = context(BenchmarkApplication.SPRING_GRPC, "spring.grpc.client.channels.echo.address=static://" + address,
					"spring.grpc.client.channels.echo.negotiation-type=plaintext",
					"spring.grpc.client.channels.echo.default-deadline=30s", "spring.grpc.server.enabled=false");
			this.springGrpc = EchoServiceGrpc.newBlockingStub(this.springGrpcContext
				.getBean(org.springframework.grpc.client.GrpcChannelFactory.class)
				.createChannel("echo"));
			bareChannelWithDeadline();
			starterChain();
			grpcSpringChain();
			springGrpcChain();
			checkMeasured(this.starterContext, "grpc.client");
			checkMeasured(this.grpcSpringContext, "grpc.client.processing.duration");
			checkMeasured(this.springGrpcContext, "grpc.client");
		}
		catch (RuntimeException ex) {
			tearDown(); // the forked backend is a process of its own
			throw ex;
		}
	}

	/**
	 * A Spring Boot application with Actuator and the auto-configurations of one library only.
	 * @param library the package its auto-configurations are in
	 */
	private static ConfigurableApplicationContext context(String library, String... properties) {
		return BenchmarkApplication.of(library).properties(properties).run();
	}

	/** Fails the run unless the library measured the calls, as it does by default with Actuator. */
	private static void checkMeasured(ConfigurableApplicationContext context, String timer) {
		if (context.getBean(MeterRegistry.class).find(timer).timers().isEmpty()) {
			throw new IllegalStateException("No " + timer + " timer; gRPC meters: " + meters(context));
		}
	}

	/** @return the names and types of the gRPC meters a library registered, for the run's log */
	private static String meters(ConfigurableApplicationContext context) {
		return context.getBean(MeterRegistry.class)
			.getMeters()
			.stream()
			.map(Meter::getId)
			.filter((id) -> id.getName().startsWith("grpc"))
			.map((id) -> id.getName() + "(" + id.getType() + ")")
			.distinct()
			.sorted()
			.collect(Collectors.joining(", "));
	}

	/** Prints what each library measures per call. */
	void printMeters() {
		System.out.println("starter meters: " + meters(this.starterContext));
		System.out.println("grpc-spring meters: " + meters(this.grpcSpringContext));
		System.out.println("Spring gRPC meters: " + meters(this.springGrpcContext));
	}

	/** Closes what {@link #setUp()} started, also after a set-up that failed part way. */
	public void tearDown() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { this.starterContext,
				this.grpcSpringContext, this.springGrpcContext }) {
			if (context != null) {
				context.close();
			}
		}
		if (this.bareChannel != null) {
			this.bareChannel.shutdownNow();
		}
		this.backend.close();
	}

	/**
	 * @return the calls by name: {@code bare}, {@code bare+deadline} (the baseline), the starter's
	 * default chain and the two peers
	 */
	Map<String, Supplier<Object>> variants() {
		Map<String, Supplier<Object>> variants = new LinkedHashMap<>();
		variants.put("bare", this::bareChannel);
		variants.put(BASELINE, this::bareChannelWithDeadline);
		variants.put("starter [default]", this::starterChain);
		variants.put("grpc-spring 3.1.0", this::grpcSpringChain);
		variants.put("Spring gRPC 0.12.0", this::springGrpcChain);
		return variants;
	}

	public EchoResponse bareChannel() {
		return this.bare.echo(REQUEST);
	}

	public EchoResponse bareChannelWithDeadline() {
		return this.bare.withDeadlineAfter(30, TimeUnit.SECONDS).echo(REQUEST);
	}

	public EchoResponse starterChain() {
		return this.starter.echo(REQUEST);
	}

	public EchoResponse grpcSpringChain() {
		return this.grpcSpring.withDeadlineAfter(30, TimeUnit.SECONDS).echo(REQUEST);
	}

	public EchoResponse springGrpcChain() {
		return this.springGrpc.echo(REQUEST);
	}

}
