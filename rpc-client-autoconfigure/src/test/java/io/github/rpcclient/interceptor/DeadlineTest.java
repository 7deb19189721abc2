package io.github.rpcclient.interceptor;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.channel.GrpcChannelCustomizer;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Default and per-method deadlines ({@link DeadlineClientInterceptor}) against a real server.
 */
class DeadlineTest {

	private static final String SLOW = "rpcclient.test.EchoService/Slow";

	private static final String CLIENT_STREAM = "rpcclient.test.EchoService/ClientStream";

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();

	private final DeadlineRecorder recorder = new DeadlineRecorder();

	private ApplicationContextRunner runner() {
		return backend
			.runner("grpc-clients.defaults.timeout=300ms", "grpc-clients.services[0].methods[0].name=" + SLOW,
					"grpc-clients.services[0].methods[0].timeout=3s")
			.withBean(GrpcChannelCustomizer.class, () -> (service, builder) -> builder.intercept(this.recorder));
	}

	@Test
	void defaultDeadlineCutsOffASlowUnaryCallAtTheConfiguredTime() {
		runner().run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context.getBean(ManagedChannelRegistry.class));
			stub.echo(request(0));
			long start = System.nanoTime();
			StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
					() -> stub.echo(request(2000)));
			long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
			assertThat(elapsedMillis).as("elapsed ms").isBetween(250L, 1000L);
		});
	}

	@Test
	void methodWithALongerTimeoutOutlivesTheDefault() {
		runner().run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context.getBean(ManagedChannelRegistry.class));
			EchoResponse response = stub.slow(request(600));
			assertThat(response.getMessage()).isEqualTo("m");
			assertThat(this.recorder.remainingMillis(SLOW)).hasValueSatisfying(
					(remaining) -> assertThat(remaining).isBetween(2000L, 3000L));
		});
	}

	@Test
	void aCallsOwnDeadlineIsKept() {
		runner().run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context.getBean(ManagedChannelRegistry.class));
			assertThat(stub.withDeadlineAfter(5, TimeUnit.SECONDS).echo(request(600)).getMessage()).isEqualTo("m");
			long start = System.nanoTime();
			StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
					() -> stub.withDeadlineAfter(100, TimeUnit.MILLISECONDS).slow(request(2000)));
			assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000L);
		});
	}

	@Test
	void defaultAppliesToServerStreamsButNotToClientOrBidiStreams() {
		runner().run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			EchoServiceGrpc.EchoServiceBlockingStub blocking = stub(registry);
			StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
					() -> blocking.serverStream(EchoRequest.newBuilder().setCount(5).setSleepMillis(200).build())
						.forEachRemaining((response) -> {
						}));
			assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
			assertThat(this.recorder.remainingMillis("rpcclient.test.EchoService/ServerStream")).isPresent();

			EchoServiceGrpc.EchoServiceStub async = EchoServiceGrpc.newStub(registry.getCallChannel("echo"));
			StreamObserver<EchoRequest> upload = async.clientStream(new Ignore());
			upload.onCompleted();
			StreamObserver<EchoRequest> chat = async.bidi(new Ignore());
			chat.onCompleted();
			assertThat(this.recorder.deadlines).containsEntry(CLIENT_STREAM, Optional.empty())
				.containsEntry("rpcclient.test.EchoService/Bidi", Optional.empty());
		});
	}

	@Test
	void methodTimeoutAppliesToAClientStream() {
		runner().withPropertyValues("grpc-clients.services[0].methods[1].name=" + CLIENT_STREAM,
				"grpc-clients.services[0].methods[1].timeout=4s")
			.run((context) -> {
				EchoServiceGrpc.EchoServiceStub async = EchoServiceGrpc
					.newStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
				async.clientStream(new Ignore()).onCompleted();
				assertThat(this.recorder.remainingMillis(CLIENT_STREAM))
					.hasValueSatisfying((remaining) -> assertThat(remaining).isBetween(3000L, 4000L));
			});
	}

	@Test
	void zeroTimeoutMeansNoDeadline() {
		runner().withPropertyValues("grpc-clients.services[0].timeout=0s").run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context.getBean(ManagedChannelRegistry.class));
			stub.echo(request(0));
			assertThat(this.recorder.deadlines).containsEntry("rpcclient.test.EchoService/Echo", Optional.empty());
		});
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(ManagedChannelRegistry registry) {
		return EchoServiceGrpc.newBlockingStub(registry.getCallChannel("echo"));
	}

	private static EchoRequest request(int sleepMillis) {
		return EchoRequest.newBuilder().setMessage("m").setSleepMillis(sleepMillis).build();
	}

	/** Records the deadline each method's last call reached the transport with. */
	static final class DeadlineRecorder implements ClientInterceptor {

		final Map<String, Optional<Deadline>> deadlines = new ConcurrentHashMap<>();

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
				Channel next) {
			this.deadlines.put(method.getFullMethodName(), Optional.ofNullable(callOptions.getDeadline()));
			return next.newCall(method, callOptions);
		}

		Optional<Long> remainingMillis(String method) {
			return this.deadlines.getOrDefault(method, Optional.empty())
				.map((deadline) -> deadline.timeRemaining(TimeUnit.MILLISECONDS));
		}

	}

	static final class Ignore implements StreamObserver<EchoResponse> {

		@Override
		public void onNext(EchoResponse value) {
		}

		@Override
		public void onError(Throwable error) {
		}

		@Override
		public void onCompleted() {
		}

	}


}
