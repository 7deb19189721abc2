package io.github.rpcclient.channel;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.StartupFailures;
import io.grpc.ConnectivityState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code connect} modes at start-up, and the registry's connect and state operations.
 */
class ConnectModeTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension(1);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class));

	@Test
	void requiredServiceThatIsDownFailsStartUpNamingServiceAndFix() throws IOException {
		String nowhere = "127.0.0.1:" + freePort();
		long start = System.nanoTime();
		this.runner
			.withPropertyValues("grpc-clients.services[0].name=books", "grpc-clients.services[0].address=" + nowhere,
					"grpc-clients.services[0].connect=required", "grpc-clients.services[0].connect-timeout=500ms")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("gRPC service 'books' at '" + nowhere + "' is required ('connect: required')")
					.contains("was not READY within 500ms")
					.containsPattern("\\(state (TRANSIENT_FAILURE|CONNECTING)\\)");
				assertThat(analysis.getAction()).contains("Start the service or fix its address")
					.contains("'connect-timeout'")
					.contains("'eager' or 'lazy'");
			});
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void requiredServiceThatIsUpStartsReady() {
		this.runner
			.withPropertyValues("grpc-clients.services[0].name=books",
					"grpc-clients.services[0].address=" + backend.address(), "grpc-clients.services[0].connect=required")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ManagedChannelRegistry.class).getState("books"))
					.isEqualTo(ConnectivityState.READY);
			});
	}

	@Test
	void eagerServiceConnectsAtStartUpWhileLazyStaysIdle() {
		this.runner
			.withPropertyValues("grpc-clients.services[0].name=eager",
					"grpc-clients.services[0].address=" + backend.address(), "grpc-clients.services[0].connect=eager",
					"grpc-clients.services[1].name=lazy", "grpc-clients.services[1].address=" + backend.address())
			.run((context) -> {
				ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
				await("eager channel READY without any call").atMost(Duration.ofSeconds(5))
					.until(() -> registry.getState("eager") == ConnectivityState.READY);
				assertThat(registry.getState("lazy")).isEqualTo(ConnectivityState.IDLE);
			});
	}

	@Test
	void connectIsIdempotentAndStatesAreReported() {
		this.runner
			.withPropertyValues("grpc-clients.services[0].name=a", "grpc-clients.services[0].address=" + backend.address(),
					"grpc-clients.services[1].name=b", "grpc-clients.services[1].address=" + backend.address())
			.run((context) -> {
				ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
				assertThat(registry.getStates()).containsOnly(
						org.assertj.core.api.Assertions.entry("a", ConnectivityState.IDLE),
						org.assertj.core.api.Assertions.entry("b", ConnectivityState.IDLE));
				assertThat(registry.awaitReady("a", 5000)).isTrue();
				assertThat(registry.connect("a")).isEqualTo(ConnectivityState.READY);
				assertThat(registry.connect("a")).isEqualTo(ConnectivityState.READY);
				assertThat(registry.getState("b")).isEqualTo(ConnectivityState.IDLE);

				registry.connectAll();
				await("every channel READY after connectAll").atMost(Duration.ofSeconds(5))
					.until(() -> registry.getStates().values().stream().allMatch(ConnectivityState.READY::equals));
				assertThat(registry.getStates()).containsOnlyKeys("a", "b");
			});
	}

	@Test
	void runtimeRegisteredServiceConnectsPerItsMode() {
		this.runner.run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			var service = new io.github.rpcclient.properties.ServiceProperties("late", backend.address());
			service.setConnect(io.github.rpcclient.properties.ChannelProperties.ConnectMode.EAGER);
			registry.register(service);
			await("runtime-registered eager channel READY").atMost(Duration.ofSeconds(5))
				.until(() -> registry.getState("late") == ConnectivityState.READY);
		});
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
