package io.github.rpcclient.channel;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.properties.ServicePropertiesBinder;
import io.github.rpcclient.settings.GrpcClientStartupException;
import io.github.rpcclient.settings.ServiceSettingsFactory;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A registration that fails half-way leaves no channel behind: neither the channel of the service
 * whose chain could not be built, nor those of the configured services registered before a start-up
 * failure.
 */
class RegistrationFailureTest {

	@Test
	void channelOfAServiceWhoseChainCannotBeBuiltIsShutDown() {
		Map<String, ManagedChannel> built = new ConcurrentHashMap<>();
		ServiceTransportProvider tracked = (service) -> built.computeIfAbsent(service.name(),
				(name) -> InProcessChannelBuilder.forName(name).build());
		ServiceInterceptorProvider failing = ServiceInterceptorProvider.perService(0, (service) -> {
			throw new IllegalStateException("no interceptor for " + service.name());
		});
		ServiceSettingsFactory settings = new ServiceSettingsFactory(new ServicePropertiesBinder(new Binder()), null, false);
		ManagedChannelRegistry registry = new ManagedChannelRegistry(settings,
				new ServiceTransports(List.of(tracked), new GrpcChannelFactory(null, new ChannelCredentialsFactory(null),
						List.of(), List.of())),
				new CallChainAssembler(List.of(failing)));
		assertThatIllegalStateException().isThrownBy(() -> registry.register("a", "in-process:a"))
			.withMessage("no interceptor for a");
		assertThat(built.get("a").isShutdown()).as("channel of the failed registration shut down").isTrue();
		assertThat(registry.getServiceNames()).isEmpty();
	}

	@Test
	void channelsRegisteredBeforeAStartUpFailureAreShutDown() {
		Map<String, ManagedChannel> built = new ConcurrentHashMap<>();
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withBean(ServiceTransportProvider.class, () -> (service) -> service.stateful() ? null
					: built.computeIfAbsent(service.name(), (name) -> InProcessChannelBuilder.forName(name).build()))
			.withPropertyValues("grpc-clients.services[0].name=plain", "grpc-clients.services[0].address=in-process:p",
					"grpc-clients.services[1].name=session", "grpc-clients.services[1].stateful=true")
			.run((context) -> {
				assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(GrpcClientStartupException.class);
				assertThat(built.get("plain").isShutdown()).as("channel of the service registered first").isTrue();
			});
	}

}
