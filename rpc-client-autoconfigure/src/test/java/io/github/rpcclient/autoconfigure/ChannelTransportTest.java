package io.github.rpcclient.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.channel.ChannelTransport;
import io.github.rpcclient.channel.NettyChannelTransport;
import io.github.rpcclient.channel.OkHttpChannelTransport;
import io.github.rpcclient.channel.ShadedNettyChannelTransport;
import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.EchoServiceImpl;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.testing.TlsTesting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport follows the classpath: grpc-netty-shaded, else grpc-netty, else grpc-okhttp. The
 * build runs this test three times: with all three transports (shaded Netty must win), without
 * grpc-netty-shaded and grpc-okhttp (unshaded Netty), and with grpc-okhttp alone (the
 * {@code transport-*} surefire executions, which set {@value #EXPECTED}). Each time an application
 * starts and calls a real server of the transport at hand, plaintext and over TLS, through an
 * injected stub. Nothing here may touch a transport class directly: in the executions without
 * grpc-netty-shaded its classes are really gone, as in an application built that way.
 */
class ChannelTransportTest {

	static final String EXPECTED = "rpcclient.expected-transport";

	private static final Map<String, Class<? extends ChannelTransport>> TRANSPORTS = Map.of("netty-shaded",
			ShadedNettyChannelTransport.class, "netty", NettyChannelTransport.class, "okhttp",
			OkHttpChannelTransport.class);

	private static final Map<String, String> BUILDERS = Map.of("netty-shaded",
			"io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder", "netty", "io.grpc.netty.NettyChannelBuilder",
			"okhttp", "io.grpc.okhttp.OkHttpChannelBuilder");

	private static final List<String> ORDER = List.of("netty-shaded", "netty", "okhttp");

	private static final String EXPECTED_TRANSPORT = System.getProperty(EXPECTED, "netty-shaded");

	@TempDir
	static Path certs;

	private static Server plaintext;

	private static Server tls;

	@BeforeAll
	static void startServers() throws IOException {
		for (String name : new String[] { "ca.pem", "server1.pem", "server1.key" }) {
			try (InputStream in = TlsTesting.loadCert(name)) {
				Files.copy(in, certs.resolve(name));
			}
		}
		plaintext = start(InsecureServerCredentials.create());
		tls = start(TlsServerCredentials.create(certs.resolve("server1.pem").toFile(),
				certs.resolve("server1.key").toFile()));
	}

	/** A server of whichever transport is on the classpath, found the way grpc-java finds it. */
	private static Server start(ServerCredentials credentials) {
		try {
			return Grpc.newServerBuilderForPort(0, credentials).addService(new EchoServiceImpl(7)).build().start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@AfterAll
	static void stopServers() throws InterruptedException {
		for (Server server : new Server[] { plaintext, tls }) {
			server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void theClasspathHoldsExactlyTheTransportsThisRunIsAbout() {
		for (String transport : ORDER) {
			boolean earlier = ORDER.indexOf(transport) < ORDER.indexOf(EXPECTED_TRANSPORT);
			if (earlier) {
				assertThat(ClassUtils.isPresent(BUILDERS.get(transport), null)).as("%s on the classpath", transport)
					.isFalse();
			}
		}
		assertThat(ClassUtils.isPresent(BUILDERS.get(EXPECTED_TRANSPORT), null)).as(EXPECTED_TRANSPORT).isTrue();
	}

	@Test
	void applicationStartsOnTheFirstTransportOfTheClasspathAndCallsPlaintextAndTls() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=plain",
					"grpc-clients.services[0].address=127.0.0.1:" + plaintext.getPort(),
					"grpc-clients.services[1].name=secure",
					"grpc-clients.services[1].address=127.0.0.1:" + tls.getPort(),
					"grpc-clients.services[1].tls.enabled=true",
					"grpc-clients.services[1].tls.trust-cert=" + certs.resolve("ca.pem").toUri(),
					"grpc-clients.services[1].tls.authority-override=foo.test.google.fr")
			.withBean(Clients.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).getBean(ChannelTransport.class)
					.isExactlyInstanceOf(TRANSPORTS.get(EXPECTED_TRANSPORT));
				Clients clients = context.getBean(Clients.class);
				assertThat(clients.plain.echo(request("plain")).getMessage()).isEqualTo("plain");
				assertThat(clients.secure.echo(request("tls")).getMessage()).isEqualTo("tls");
			});
	}

	private static EchoRequest request(String message) {
		return EchoRequest.newBuilder().setMessage(message).build();
	}

	static class Clients {

		@GrpcClient("plain")
		EchoServiceGrpc.EchoServiceBlockingStub plain;

		@GrpcClient("secure")
		EchoServiceGrpc.EchoServiceBlockingStub secure;

	}

}
