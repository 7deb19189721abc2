package io.github.rpcclient.benchmarks;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.test.EchoServiceImpl;
import io.github.rpcclient.test.ForkedBackend;
import io.micrometer.core.instrument.MeterRegistry;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * One unary call with a 16-byte message through a bare grpc-java channel (with and without a
 * deadline) and through the starter's chain, to the same server, in one run, so they can be
 * compared as ratios. The starter runs as users run it: in a Spring Boot context with Actuator and
 * {@code resilience4j-spring-boot3} on the classpath, which turn on the metrics and Resilience4j's
 * event consumers. {@code netty} is a real loopback server; {@code in-process} takes the network
 * out, so the chain's own cost shows up magnified.
 * <p>
 * Sample time: JMH reports the mean (throughput is callers / mean, as the loop is closed), p50 and
 * p99. Run it with {@code benchmarks/call-chain.sh}, which interleaves rounds at 1 and 16 callers
 * and prints the median ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CallChainBenchmark {

	private static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("0123456789abcdef").build();

	@Param({ "netty" })
	public String transport;

	/**
	 * Which starter chain: {@code default} as configured out of the box; {@code no-metrics}
	 * without the metrics ({@code grpc-clients.observation.enabled=false});
	 * {@code no-long-task-timer} with Spring Boot's
	 * {@code management.observations.long-task-timer.enabled=false} (no {@code grpc.client.active});
	 * {@code no-deadline} without the default deadline; {@code no-retry}, {@code no-breaker}
	 * without one of them; {@code no-resilience} without retry and
	 * circuit breaker; {@code bare-minimum} with every interceptor switched off (the registry's
	 * channel alone); {@code with-limits} the default chain plus a bulkhead and a rate limiter
	 * whose limits are never reached.
	 */
	@Param({ "default", "no-metrics", "no-resilience", "bare-minimum" })
	public String chain;

	private ForkedBackend nettyServer;

	private Server inProcessServer;

	private ManagedChannel bareChannel;

	private ConfigurableApplicationContext context;

	private EchoServiceGrpc.EchoServiceBlockingStub bare;

	private EchoServiceGrpc.EchoServiceBlockingStub starter;

	private EchoServiceGrpc.EchoServiceBlockingStub starterWithoutDeadline;

	@Setup(Level.Trial)
	public void setUp() throws IOException {
		String address;
		if (this.transport.equals("netty")) {
			this.nettyServer = ForkedBackend.startOptimized();
			address = this.nettyServer.address();
			this.bareChannel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
		}
		else {
			String name = "bench-" + System.nanoTime();
			this.inProcessServer = InProcessServerBuilder.forName(name).addService(new EchoServiceImpl(0)).build().start();
			address = "in-process:" + name;
			this.bareChannel = InProcessChannelBuilder.forName(name).build();
		}
		this.bare = EchoServiceGrpc.newBlockingStub(this.bareChannel);
		this.context = BenchmarkApplication.starter()
			.properties("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=" + address,
					"grpc-clients.services[1].name=echo-without-deadline", "grpc-clients.services[1].address=" + address,
					"grpc-clients.services[1].timeout=0")
			.properties(chainProperties(this.chain))
			.run();
		GrpcClientFactory clients = this.context.getBean(GrpcClientFactory.class);
		this.starter = clients.stub("echo", EchoServiceGrpc.EchoServiceBlockingStub.class);
		this.starterWithoutDeadline = clients.stub("echo-without-deadline", EchoServiceGrpc.EchoServiceBlockingStub.class);
		this.bare.echo(REQUEST);
		this.starter.echo(REQUEST);
		this.starterWithoutDeadline.echo(REQUEST);
		checkMetrics();
	}

	/** Fails the run unless the calls were measured exactly when the chain says they are. */
	private void checkMetrics() {
		boolean measured = !this.context.getBean(MeterRegistry.class).find("grpc.client").timers().isEmpty();
		boolean expected = !this.chain.contains("no-metrics") && !this.chain.contains("bare-minimum");
		if (measured != expected) {
			throw new IllegalStateException("Chain " + this.chain + (measured ? " was" : " was not")
					+ " measured by grpc.client timers");
		}
	}

	/** A chain's properties; {@code a+b} combines the properties of two chains. */
	private static String[] chainProperties(String chain) {
		if (chain.contains("+")) {
			return java.util.Arrays.stream(chain.split("\\+"))
				.flatMap((part) -> java.util.Arrays.stream(chainProperties(part)))
				.toArray(String[]::new);
		}
		String[] noDeadline = { "grpc-clients.defaults.timeout=0" };
		String[] noResilience = { "grpc-clients.defaults.retry.enabled=false",
				"grpc-clients.defaults.circuit-breaker.enabled=false" };
		return switch (chain) {
			case "default" -> new String[0];
			case "no-metrics" -> new String[] { "grpc-clients.observation.enabled=false" };
			case "no-r4j-metrics" -> new String[] { "resilience4j.circuitbreaker.metrics.enabled=false",
					"resilience4j.retry.metrics.enabled=false" };
			case "no-long-task-timer" -> new String[] { "management.observations.long-task-timer.enabled=false" };
			case "no-retry" -> new String[] { noResilience[0] };
			case "no-breaker" -> new String[] { noResilience[1] };
			case "no-deadline" -> noDeadline;
			case "no-resilience" -> noResilience;
			case "bare-minimum" -> new String[] { noDeadline[0], noResilience[0], noResilience[1],
					"grpc-clients.logging.enabled=false", "grpc-clients.request-id.enabled=false",
					"grpc-clients.observation.enabled=false" };
			case "with-limits" -> new String[] { "grpc-clients.defaults.bulkhead.enabled=true",
					"grpc-clients.defaults.bulkhead.max-concurrent-calls=1000",
					"grpc-clients.defaults.rate-limiter.enabled=true",
					"grpc-clients.defaults.rate-limiter.limit-for-period=100000000" };
			default -> throw new IllegalArgumentException("Unknown chain " + chain);
		};
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.context.close();
		this.bareChannel.shutdownNow();
		if (this.nettyServer != null) {
			this.nettyServer.close();
		}
		if (this.inProcessServer != null) {
			this.inProcessServer.shutdownNow();
		}
	}

	@Benchmark
	public EchoResponse bareChannel() {
		return this.bare.echo(REQUEST);
	}

	/** A bare call with the deadline the starter gives calls by default, as a call should carry. */
	@Benchmark
	public EchoResponse bareChannelWithDeadline() {
		return this.bare.withDeadlineAfter(30, TimeUnit.SECONDS).echo(REQUEST);
	}

	@Benchmark
	public EchoResponse starterChain() {
		return this.starter.echo(REQUEST);
	}

	/** The starter's chain with the default deadline switched off ({@code timeout: 0}). */
	@Benchmark
	public EchoResponse starterChainWithoutDefaultDeadline() {
		return this.starterWithoutDeadline.echo(REQUEST);
	}

}
