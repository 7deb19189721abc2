package io.github.rpcclient.autoconfigure;

import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.client.GrpcChannelFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * An application may have the starter beside another Spring Boot gRPC client library: while it
 * moves from grpc-spring ({@code net.devh}), or because it serves with grpc-spring's server starter,
 * which brings its client starter, or Spring gRPC's. The starter runs in one context with either
 * (those two cannot share one: both define a bean {@code shadedNettyGrpcChannelFactory}), each
 * library with its own {@code @GrpcClient} or channel factory, against a real Netty backend.
 */
class PeerLibrariesCoexistenceTest {

	private static TestBackend backend;

	@BeforeAll
	static void startBackend() {
		// the build's default test run leaves the other libraries off the classpath
		assumeThat(System.getProperty("rpcclient.peer-libraries")).isNotEqualTo("absent");
		backend = TestBackend.start(3);
	}

	@AfterAll
	static void stopBackend() {
		if (backend != null) {
			backend.close();
		}
	}

	@Test
	void theStarterAndGrpcSpringClientsRunInOneApplication() {
		runner(net.devh.boot.grpc.client.autoconfigure.GrpcClientAutoConfiguration.class)
			.withPropertyValues("grpc.client.echo.address=static://" + backend.address(),
					"grpc.client.echo.negotiation-type=plaintext")
			.withBean(GrpcSpringClients.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				GrpcSpringClients clients = context.getBean(GrpcSpringClients.class);
				assertThat(clients.starter.echo(request("starter")).getMessage()).isEqualTo("starter");
				assertThat(clients.grpcSpring.echo(request("grpc-spring")).getMessage()).isEqualTo("grpc-spring");
			});
	}

	@Test
	void theStarterAndSpringGrpcClientsRunInOneApplication() {
		runner(org.springframework.grpc.autoconfigure.client.GrpcClientAutoConfiguration.class)
			// its in-process channel factory off, so its Netty one is the one GrpcChannelFactory
			.withPropertyValues("spring.grpc.client.channels.echo.address=static://" + backend.address(),
					"spring.grpc.client.inprocess.enabled=false")
			.withBean(StarterClient.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(StarterClient.class).starter.echo(request("starter")).getMessage())
					.isEqualTo("starter");
				ManagedChannel springGrpc = context.getBean(GrpcChannelFactory.class).createChannel("echo");
				assertThat(EchoServiceGrpc.newBlockingStub(springGrpc).echo(request("Spring gRPC")).getMessage())
					.isEqualTo("Spring gRPC");
			});
	}

	/** The starter's auto-configuration, one service, and the other library's client ones. */
	private static ApplicationContextRunner runner(Class<?>... otherLibrary) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, GrpcClientsAutoConfiguration.class))
			.withConfiguration(AutoConfigurations.of(otherLibrary))
			.withPropertyValues("grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].address=static://" + backend.address());
	}

	private static EchoRequest request(String message) {
		return EchoRequest.newBuilder().setMessage(message).build();
	}

	/** A bean with a stub from the starter's {@code @GrpcClient}. */
	static class StarterClient {

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceBlockingStub starter;

	}

	/** A bean with a stub from each library's {@code @GrpcClient}. */
	static class GrpcSpringClients extends StarterClient {

		@net.devh.boot.grpc.client.inject.GrpcClient("echo")
		EchoServiceGrpc.EchoServiceBlockingStub grpcSpring;

	}

}
