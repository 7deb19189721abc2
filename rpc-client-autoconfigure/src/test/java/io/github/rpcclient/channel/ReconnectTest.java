package io.github.rpcclient.channel;

import java.time.Duration;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * A backend that goes away and comes back on the same port: the channel reports the outage and
 * recovers by itself, without restarting the client.
 */
class ReconnectTest {

	@Test
	void channelRecoversWhenTheBackendRestartsOnTheSamePort() {
		try (TestBackend backend = TestBackend.start(4)) {
			new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
				.withPropertyValues("grpc-clients.services[0].name=echo",
						"grpc-clients.services[0].address=" + backend.address())
				.run((context) -> {
					ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
					EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc
						.newBlockingStub(registry.getCallChannel("echo"));
					assertThat(stub.echo(request()).getPod()).isEqualTo(4);
					assertThat(registry.getState("echo")).isEqualTo(ConnectivityState.READY);

					backend.stop();
					await("channel in TRANSIENT_FAILURE after the backend stopped").atMost(Duration.ofSeconds(10))
						.until(() -> registry.connect("echo") == ConnectivityState.TRANSIENT_FAILURE);
					StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
							() -> stub.echo(request()));
					assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
					assertThat(failure.getStatus().getDescription()).contains(
							"Nothing accepts connections for gRPC service 'echo' at " + backend.address()
									+ " (connection refused). Check that the server is running and the service's 'address'.");

					backend.restart();
					long start = System.nanoTime();
					assertThat(registry.awaitReady("echo", 10_000)).as("READY again within 10 s").isTrue();
					System.out.printf("READY again %d ms after the backend restarted%n",
							(System.nanoTime() - start) / 1_000_000);
					assertThat(stub.echo(request()).getPod()).isEqualTo(4);
				});
		}
	}

	private static EchoRequest request() {
		return EchoRequest.newBuilder().setMessage("again").build();
	}

}
