package io.github.rpcclient.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
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
 * Latency distribution (p50, p99) of an idempotent unary call to a backend with a slow tail: every
 * {@code every}-th attempt the server answers 50 ms late. With {@code hedging=on} a second attempt
 * goes out after 10 ms without an answer; the first answer wins. Read the {@code p0.99} rows of
 * the sample-time output.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HedgingBenchmark {

	private static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("ping").build();

	@Param({ "off", "on" })
	public String hedging;

	/** One attempt in this many is slow. */
	@Param({ "50" })
	public int every;

	private TestBackend server;

	private ConfigurableApplicationContext context;

	private EchoServiceGrpc.EchoServiceBlockingStub stub;

	private final LongAdder calls = new LongAdder();

	@Setup(Level.Trial)
	public void setUp() {
		this.server = TestBackend.start();
		this.server.service().slowEvery("IdempotentEcho", this.every, 50);
		this.context = BenchmarkApplication.starter()
			.properties("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=" + this.server.address(),
					"grpc-clients.services[0].hedging.enabled=" + this.hedging.equals("on"),
					"grpc-clients.services[0].hedging.delay=10ms", "grpc-clients.services[0].hedging.max-attempts=2")
			.run();
		this.stub = this.context.getBean(GrpcClientFactory.class).stub("echo", EchoServiceGrpc.EchoServiceBlockingStub.class);
		this.stub.idempotentEcho(REQUEST);
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		System.out.printf("%n[hedging=%s] %d calls, %d attempts at the server%n", this.hedging, this.calls.sum() + 1,
				this.server.service().attempts("IdempotentEcho"));
		this.context.close();
		this.server.close();
	}

	@Benchmark
	public EchoResponse idempotentCall() {
		this.calls.increment();
		return this.stub.idempotentEcho(REQUEST);
	}

}
