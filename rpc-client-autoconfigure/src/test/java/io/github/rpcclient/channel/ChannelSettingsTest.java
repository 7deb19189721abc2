package io.github.rpcclient.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Configured channel settings take effect on the wire: user agent, compression, inbound message
 * size limit and idle timeout.
 */
class ChannelSettingsTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();


	private static ApplicationContextRunner runner(String... properties) {
		return backend.runner(properties);
	}

	@Test
	void userAgentAndCompressionAreSent() {
		runner("grpc-clients.defaults.user-agent=shop-frontend", "grpc-clients.services[0].compression=gzip")
			.run((context) -> {
				stub(context).echo(request("x".repeat(1000)));
				Metadata headers = lastHeaders();
				assertThat(headers.get(key("user-agent"))).startsWith("shop-frontend");
				assertThat(headers.get(key("grpc-encoding"))).isEqualTo("gzip");
			});
	}

	@Test
	void uncompressedByDefault() {
		runner().run((context) -> {
			stub(context).echo(request("plain"));
			assertThat(lastHeaders().get(key("grpc-encoding"))).isNull();
		});
	}

	@Test
	void responsesOverTheInboundLimitFail() {
		runner("grpc-clients.services[0].max-inbound-message-size=1KB").run((context) -> {
			assertThat(stub(context).echo(request("x".repeat(500))).getMessage()).hasSize(500);
			StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
					() -> stub(context).echo(request("x".repeat(2000))));
			assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		});
	}

	@Test
	void idleChannelReleasesItsConnectionAndStillClosesAtOnce() {
		runner("grpc-clients.services[0].idle-timeout=1s").run((context) -> {
			stub(context).echo(request("wake"));
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			assertThat(registry.getState("echo")).isEqualTo(ConnectivityState.READY);
			await("IDLE after the idle timeout").atMost(Duration.ofSeconds(5))
				.until(() -> registry.getState("echo") == ConnectivityState.IDLE);
			assertThat(stub(context).echo(request("again")).getMessage()).isEqualTo("again");
			await("IDLE again").atMost(Duration.ofSeconds(5)).until(() -> registry.getState("echo") == ConnectivityState.IDLE);

			// grpc-java keeps the connection released on idle for 5 s; with no call in flight, close
			// does not wait for it, whatever the (default, 10 s) grace period
			ManagedChannel channel = registry.getChannel("echo");
			long start = System.nanoTime();
			registry.close();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
			assertThat(channel.isTerminated()).isTrue();
		});
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(AssertableApplicationContext context) {
		return EchoServiceGrpc.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
	}

	private static EchoRequest request(String message) {
		return EchoRequest.newBuilder().setMessage(message).build();
	}

	private static Metadata.Key<String> key(String name) {
		return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
	}

	private static Metadata lastHeaders() {
		List<Metadata> all = new ArrayList<>(backend.service().headers());
		assertThat(all).as("requests received").isNotEmpty();
		return all.get(all.size() - 1);
	}

}
