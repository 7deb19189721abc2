package io.github.rpcclient.interceptor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.TcpProxy;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.TlsTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Failure hints are given only where the evidence points to their cause: a plaintext/TLS
 * mix-up only for a call that never got past the connection's handshake, never for calls on a
 * connection to a backend that then died.
 */
class FailureHintTest {

	private static final String TLS_HINT = "If the server expects TLS";

	private static final String HANDSHAKE_HINT = "TLS handshake with";

	private static final String REFUSED_HINT = "(connection refused)";

	@TempDir
	static Path certs;

	private TestBackend backend;

	private TcpProxy proxy;

	@BeforeAll
	static void copyCertificates() throws IOException {
		for (String name : new String[] { "ca.pem", "server1.pem", "server1.key" }) {
			try (InputStream in = TlsTesting.loadCert(name)) {
				Files.copy(in, certs.resolve(name));
			}
		}
	}

	@AfterEach
	void stop() {
		if (this.proxy != null) {
			this.proxy.close();
		}
		if (this.backend != null) {
			this.backend.close();
		}
	}

	private ApplicationContextRunner runner(String address, String... properties) {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=" + address,
					"grpc-clients.logging.enabled=false", "grpc-clients.services[0].shutdown-grace-period=0s",
					"grpc-clients.services[0].tls.authority-override=foo.test.google.fr")
			.withPropertyValues(properties);
	}

	@ParameterizedTest(name = "connections reset: {0}")
	@ValueSource(booleans = { true, false })
	void plaintextBackendKilledMidTrafficGetsNoTlsHint(boolean reset) {
		this.backend = TestBackend.start();
		this.proxy = TcpProxy.start(this.backend.port());
		runner(this.proxy.address()).run((context) -> {
			assertThat(stub(context).echo(request("up")).getMessage()).isEqualTo("up");
			ListenableFuture<EchoResponse> unary = EchoServiceGrpc.newFutureStub(channel(context))
				.slow(EchoRequest.newBuilder().setMessage("slow").setSleepMillis(1000).build());
			Outcome stream = new Outcome();
			EchoServiceGrpc.newStub(channel(context)).bidi(stream);
			await("both calls at the server").atMost(Duration.ofSeconds(5))
				.until(() -> this.backend.service().attempts("Slow") == 1 && this.backend.service().attempts("Bidi") == 1);

			this.proxy.kill(reset);

			Status unaryStatus = Status.fromThrowable(catchThrowableOfType(Exception.class,
					() -> unary.get(10, TimeUnit.SECONDS)));
			Status streamStatus = Status.fromThrowable(stream.get(10, TimeUnit.SECONDS));
			System.out.println("killed plaintext backend, unary call: " + unaryStatus);
			System.out.println("killed plaintext backend, bidi call: " + streamStatus);
			for (Status status : new Status[] { unaryStatus, streamStatus }) {
				assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
				assertThat(status.getDescription()).doesNotContain(TLS_HINT).doesNotContain(HANDSHAKE_HINT);
			}
			StatusRuntimeException after = catchThrowableOfType(StatusRuntimeException.class,
					() -> stub(context).echo(request("after")));
			assertThat(after.getStatus().getDescription()).contains(REFUSED_HINT).doesNotContain(TLS_HINT);
		});
	}

	@ParameterizedTest(name = "connections reset: {0}")
	@ValueSource(booleans = { true, false })
	void tlsBackendKilledMidTrafficGetsNoHandshakeHint(boolean reset) {
		this.backend = TestBackend.start(1, tlsCredentials());
		this.proxy = TcpProxy.start(this.backend.port());
		runner(this.proxy.address(), "grpc-clients.services[0].tls.enabled=true",
				"grpc-clients.services[0].tls.trust-cert=" + certs.resolve("ca.pem").toUri())
			.run((context) -> {
				assertThat(stub(context).echo(request("up")).getMessage()).isEqualTo("up");
				Outcome stream = new Outcome();
				EchoServiceGrpc.newStub(channel(context)).bidi(stream);
				await("the call at the server").atMost(Duration.ofSeconds(5))
					.until(() -> this.backend.service().attempts("Bidi") == 1);

				this.proxy.kill(reset);

				Status status = Status.fromThrowable(stream.get(10, TimeUnit.SECONDS));
				System.out.println("killed TLS backend, bidi call: " + status);
				assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
				assertThat(status.getDescription()).doesNotContain(HANDSHAKE_HINT).doesNotContain(TLS_HINT);
			});
	}

	@Test
	void plaintextClientAgainstATlsServerKeepsTheTlsHint() {
		this.backend = TestBackend.start(1, tlsCredentials());
		runner(this.backend.address(), "grpc-clients.services[0].retry.enabled=false").run((context) -> {
			StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
					() -> stub(context).echo(request("x")));
			assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
			assertThat(failure.getStatus().getDescription()).contains(TLS_HINT);
		});
	}

	private static ServerCredentials tlsCredentials() {
		try {
			return TlsServerCredentials.create(certs.resolve("server1.pem").toFile(),
					certs.resolve("server1.key").toFile());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static io.grpc.Channel channel(ApplicationContext context) {
		return context.getBean(ManagedChannelRegistry.class).getCallChannel("echo");
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(ApplicationContext context) {
		return EchoServiceGrpc.newBlockingStub(channel(context));
	}

	private static EchoRequest request(String message) {
		return EchoRequest.newBuilder().setMessage(message).build();
	}

	/** Completes with the stream's error, or {@code null} if it completes. */
	static final class Outcome extends CompletableFuture<Throwable> implements StreamObserver<EchoResponse> {

		@Override
		public void onNext(EchoResponse value) {
		}

		@Override
		public void onError(Throwable error) {
			complete(error);
		}

		@Override
		public void onCompleted() {
			complete(null);
		}

	}

}
