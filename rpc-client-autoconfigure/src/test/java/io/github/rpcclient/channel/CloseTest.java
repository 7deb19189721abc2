package io.github.rpcclient.channel;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Graceful {@link ManagedChannelRegistry#close()}: in-flight calls finish within the grace period,
 * new calls and lookups fail clearly, and calls beyond the grace period are cancelled.
 */
class CloseTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();

	private ApplicationContextRunner runner() {
		return backend.runner();
	}

	@Test
	void inFlightCallFinishesAndLaterCallsFailClearly() {
		runner().run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			EchoServiceGrpc.EchoServiceFutureStub stub = EchoServiceGrpc.newFutureStub(registry.getCallChannel("echo"));
			int before = backend.service().attempts("Slow");
			ListenableFuture<EchoResponse> inFlight = stub.slow(request(500));
			await("call arrived at the server").atMost(5, TimeUnit.SECONDS)
				.until(() -> backend.service().attempts("Slow") > before);

			long start = System.nanoTime();
			registry.close();
			long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			assertThat(inFlight.get(1, TimeUnit.SECONDS).getMessage()).isEqualTo("late");
			assertThat(closeMillis).as("close waited for the in-flight call").isBetween(200L, 5000L);
			assertThat(registry.isClosed()).isTrue();

			ExecutionException after = catchThrowableOfType(ExecutionException.class,
					() -> stub.echo(request(0)).get(5, TimeUnit.SECONDS));
			Status status = Status.fromThrowable(after.getCause());
			System.out.println("call after close: " + status);
			assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
			assertThat(status.getDescription()).contains("Channel shutdown invoked")
				.contains("The channel of gRPC service 'echo' is closed (the application is shutting down");

			assertThatIllegalStateException().isThrownBy(() -> registry.getChannel("echo"))
				.withMessageContaining("The gRPC channel registry is closed");
			assertThatIllegalStateException().isThrownBy(() -> registry.register("late", backend.address()))
				.withMessageContaining("closed");

			registry.close();
			assertThat(registry.isClosed()).isTrue();
		});
	}

	@Test
	void contextShutdownClosesTheRegistry() {
		ManagedChannelRegistry[] registry = new ManagedChannelRegistry[1];
		runner().run((context) -> {
			registry[0] = context.getBean(ManagedChannelRegistry.class);
			assertThat(registry[0].isRunning()).isTrue();
		});
		assertThat(registry[0].isClosed()).isTrue();
		assertThat(registry[0].isRunning()).isFalse();
	}

	@Test
	void callsBeyondTheGracePeriodAreCancelled() {
		runner().withPropertyValues("grpc-clients.services[0].shutdown-grace-period=200ms").run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(registry.getCallChannel("echo"));
			int before = backend.service().attempts("Slow");
			Thread caller;
			StatusRuntimeException[] failure = new StatusRuntimeException[1];
			caller = new Thread(() -> failure[0] = catchThrowableOfType(StatusRuntimeException.class,
					() -> stub.slow(request(2000))));
			caller.start();
			await("call arrived at the server").atMost(5, TimeUnit.SECONDS)
				.until(() -> backend.service().attempts("Slow") > before);

			long start = System.nanoTime();
			registry.close();
			long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			caller.join(5000);
			assertThat(closeMillis).as("close returned after the grace period").isBetween(150L, 1500L);
			assertThat(failure[0]).as("the 2 s call failed").isNotNull();
			System.out.println("call beyond the grace period: " + failure[0].getStatus());
			assertThat(failure[0].getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
			assertThat(failure[0].getStatus().getDescription()).contains(
					"The call was cancelled because it was still running when the 'shutdown-grace-period' (200 ms) "
							+ "of gRPC service 'echo' ended.");
		});
	}

	private static EchoRequest request(int sleepMillis) {
		return EchoRequest.newBuilder().setMessage("late").setSleepMillis(sleepMillis).build();
	}

}
