package io.github.rpcclient.channel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.testing.TlsTesting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * TLS and mutual TLS against real Netty servers, with PEM files and with Spring Boot SSL bundles,
 * using grpc-java's test certificates (the server certificate is for {@code *.test.google.fr}).
 */
class TlsTest {

	private static final String AUTHORITY = "foo.test.google.fr";

	@TempDir
	static Path certs;

	private static TestBackend tlsServer;

	private static TestBackend mtlsServer;

	private static TestBackend plaintextServer;

	@BeforeAll
	static void startServers() throws IOException {
		for (String name : new String[] { "ca.pem", "server1.pem", "server1.key", "client.pem", "client.key" }) {
			try (InputStream in = TlsTesting.loadCert(name)) {
				Files.copy(in, certs.resolve(name));
			}
		}
		tlsServer = TestBackend.start(1,
				TlsServerCredentials.create(file("server1.pem").toFile(), file("server1.key").toFile()));
		ServerCredentials requireClientAuth = TlsServerCredentials.newBuilder()
			.keyManager(file("server1.pem").toFile(), file("server1.key").toFile())
			.trustManager(file("ca.pem").toFile())
			.clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
			.build();
		mtlsServer = TestBackend.start(2, requireClientAuth);
		plaintextServer = TestBackend.start(3);
	}

	@AfterAll
	static void stopServers() {
		tlsServer.close();
		mtlsServer.close();
		plaintextServer.close();
	}

	private static Path file(String name) {
		return certs.resolve(name);
	}

	private static String uri(String name) {
		return file(name).toUri().toString();
	}

	private static ApplicationContextRunner runner(TestBackend backend, String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=secure",
					"grpc-clients.services[0].address=" + backend.address(),
					"grpc-clients.services[0].tls.authority-override=" + AUTHORITY)
			.withPropertyValues(properties);
	}

	@Test
	void tlsWithTrustedCaFile() {
		runner(tlsServer, "grpc-clients.services[0].tls.enabled=true",
				"grpc-clients.services[0].tls.trust-cert=" + uri("ca.pem"))
			.run((context) -> assertThat(echo(context)).isEqualTo(1));
	}

	@Test
	void tlsInheritedFromDefaults() {
		runner(tlsServer, "grpc-clients.defaults.tls.enabled=true", "grpc-clients.defaults.tls.trust-cert=" + uri("ca.pem"))
			.run((context) -> assertThat(echo(context)).isEqualTo(1));
	}

	@Test
	void tlsWithoutTrustingTheServerCaFails() {
		runner(tlsServer, "grpc-clients.services[0].tls.enabled=true").run((context) -> {
			StatusRuntimeException failure = failedEcho(context);
			assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
			assertThat(failure.getStatus().getCause()).hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
			assertThat(failure.getStatus().getDescription()).contains("check 'tls.trust-cert' or 'tls.ssl-bundle'");
		});
	}

	@Test
	void mutualTlsWithCertChainAndPrivateKey() {
		runner(mtlsServer, "grpc-clients.services[0].tls.enabled=true",
				"grpc-clients.services[0].tls.trust-cert=" + uri("ca.pem"),
				"grpc-clients.services[0].tls.cert-chain=" + uri("client.pem"),
				"grpc-clients.services[0].tls.private-key=" + uri("client.key"))
			.run((context) -> assertThat(echo(context)).isEqualTo(2));
	}

	@Test
	void serverRequiringAClientCertificateRejectsAClientWithout() {
		runner(mtlsServer, "grpc-clients.services[0].tls.enabled=true",
				"grpc-clients.services[0].tls.trust-cert=" + uri("ca.pem"))
			.run((context) -> {
				StatusRuntimeException failure = failedEcho(context);
				System.out.println("TLS client without certificate -> mTLS server: " + failure.getMessage());
				assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
			});
	}

	@Test
	void tlsWithAnSslBundle() {
		runner(tlsServer, "spring.ssl.bundle.pem.backend.truststore.certificate=" + uri("ca.pem"),
				"grpc-clients.services[0].tls.enabled=true", "grpc-clients.services[0].tls.ssl-bundle=backend")
			.run((context) -> assertThat(echo(context)).isEqualTo(1));
	}

	@Test
	void mutualTlsWithAnSslBundle() {
		runner(mtlsServer, "spring.ssl.bundle.pem.client.truststore.certificate=" + uri("ca.pem"),
				"spring.ssl.bundle.pem.client.keystore.certificate=" + uri("client.pem"),
				"spring.ssl.bundle.pem.client.keystore.private-key=" + uri("client.key"),
				"grpc-clients.services[0].tls.enabled=true", "grpc-clients.services[0].tls.ssl-bundle=client")
			.run((context) -> assertThat(echo(context)).isEqualTo(2));
	}

	@Test
	void plaintextClientAgainstTlsServerFailsWithAHintToEnableTls() {
		runner(tlsServer).run((context) -> {
			StatusRuntimeException failure = failedEcho(context);
			System.out.println("plaintext client -> TLS server: " + failure.getMessage());
			assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
			assertThat(failure.getStatus().getDescription())
				.contains("The connection to gRPC service 'secure' at " + tlsServer.address() + " was closed")
				.contains("If the server expects TLS, set the service's 'tls.enabled' to true.");
		});
	}

	@Test
	void tlsClientAgainstPlaintextServerFailsClearly() {
		runner(plaintextServer, "grpc-clients.services[0].tls.enabled=true",
				"grpc-clients.services[0].tls.trust-cert=" + uri("ca.pem"))
			.run((context) -> {
				StatusRuntimeException failure = failedEcho(context);
				System.out.println("TLS client -> plaintext server: " + failure.getMessage());
				assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
				assertThat(failure.getStatus().getDescription())
					.contains("TLS handshake with gRPC service 'secure' at " + plaintextServer.address() + " failed")
					.contains("If the server is plaintext, set its 'tls.enabled' to false");
			});
	}

	private static int echo(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return stub(context).echo(EchoRequest.newBuilder().setMessage("tls").build()).getPod();
	}

	private static StatusRuntimeException failedEcho(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return catchThrowableOfType(StatusRuntimeException.class,
				() -> stub(context).echo(EchoRequest.newBuilder().setMessage("tls").build()));
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(AssertableApplicationContext context) {
		return EchoServiceGrpc.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("secure"));
	}

}
