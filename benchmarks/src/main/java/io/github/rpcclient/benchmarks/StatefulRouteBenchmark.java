package io.github.rpcclient.benchmarks;

import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.route.StatefulRouteDriver;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * The stateful hot path: a route lookup answered by the near cache, and a unary call pinned to a
 * user's pod through the starter, against a bare channel straight to the same pod, in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StatefulRouteBenchmark {

	private static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("ping").build();

	private EmbeddedRedis redis;

	private TestBackend pod;

	private ManagedChannel bareChannel;

	private ConfigurableApplicationContext context;

	private StatefulRouteDriver driver;

	private EchoServiceGrpc.EchoServiceBlockingStub bare;

	private EchoServiceGrpc.EchoServiceBlockingStub pinned;

	@Setup(Level.Trial)
	public void setUp() {
		this.redis = EmbeddedRedis.start();
		this.pod = TestBackend.start(1);
		this.bareChannel = Grpc.newChannelBuilder(this.pod.address(), InsecureChannelCredentials.create()).build();
		this.bare = EchoServiceGrpc.newBlockingStub(this.bareChannel);
		this.context = BenchmarkApplication.starter()
			.properties("spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + this.redis.port(), "grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].stateful=true", "grpc-clients.services[0].pods[0].index=1",
					"grpc-clients.services[0].pods[0].address=" + this.pod.address())
			.run();
		this.driver = this.context.getBean(StatefulRouteDriver.class);
		this.pinned = this.context.getBean(GrpcClientFactory.class)
			.stub("echo", EchoServiceGrpc.EchoServiceBlockingStub.class)
			.withOption(StatefulRouting.UID, "user-42");
		this.bare.echo(REQUEST);
		if (this.pinned.echo(REQUEST).getPod() != 1) {
			throw new IllegalStateException("The pinned call did not reach pod 1");
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.context.close();
		this.bareChannel.shutdownNow();
		this.pod.close();
		this.redis.close();
	}

	@Benchmark
	public OptionalInt routeLookupNearCache() {
		return this.driver.computeLinkedPod("default", "user-42", "echo");
	}

	@Benchmark
	public EchoResponse bareChannelToPod() {
		return this.bare.echo(REQUEST);
	}

	/** What the pinned call does without the starter: the pod's channel, with the default deadline. */
	@Benchmark
	public EchoResponse bareChannelToPodWithDeadline() {
		return this.bare.withDeadlineAfter(30, TimeUnit.SECONDS).echo(REQUEST);
	}

	@Benchmark
	public EchoResponse pinnedCall() {
		return this.pinned.echo(REQUEST);
	}

}
