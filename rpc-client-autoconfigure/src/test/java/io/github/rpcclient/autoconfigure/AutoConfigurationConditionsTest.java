package io.github.rpcclient.autoconfigure;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.actuate.ChannelMeters;
import io.github.rpcclient.channel.CallChainAssembler;
import io.github.rpcclient.channel.ChannelCredentialsFactory;
import io.github.rpcclient.channel.ChannelTransport;
import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.channel.ServiceTransports;
import io.github.rpcclient.channel.ShadedNettyChannelTransport;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.properties.ServicePropertiesBinder;
import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.ServiceSettings;
import io.github.rpcclient.settings.ServiceSettingsFactory;
import io.github.rpcclient.stub.GeneratedStubFactory;
import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.stub.GrpcClientBeanPostProcessor;
import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.stub.StubFactory;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the auto-configuration backs off: the switches, user-defined beans, and a classpath without
 * grpc-java.
 */
class AutoConfigurationConditionsTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
		.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=127.0.0.1:1");

	@Test
	void everyBeanIsDefinedByDefault() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ManagedChannelRegistry.class)
				.hasSingleBean(GrpcChannelFactory.class)
				.hasSingleBean(ChannelCredentialsFactory.class)
				.hasSingleBean(GrpcClientFactory.class)
				.hasSingleBean(GeneratedStubFactory.class)
				.hasSingleBean(GrpcClientBeanPostProcessor.class)
				.hasSingleBean(ServicePropertiesBinder.class)
				.hasSingleBean(ServiceSettingsFactory.class)
				.hasSingleBean(ServiceTransports.class)
				.hasSingleBean(CallChainAssembler.class)
				.hasSingleBean(GrpcClientsProperties.class);
			assertThat(context).getBean(ChannelTransport.class).isInstanceOf(ShadedNettyChannelTransport.class);
			assertThat(context.getBeansOfType(ServiceInterceptorProvider.class)).isNotEmpty();
		});
	}

	@Test
	void disabledSwitchRemovesEveryBean() {
		this.runner.withPropertyValues("grpc-clients.enabled=false").run((context) -> assertNoGrpcBeans(context));
	}

	@Test
	void metricsSwitchRemovesTheCallTimerAndTheGauges() {
		ApplicationContextRunner metered = this.runner
			.withConfiguration(AutoConfigurations.of(GrpcClientsMetricsAutoConfiguration.class,
					GrpcClientsMeterBindersAutoConfiguration.class))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new);
		metered.run((context) -> assertThat(context).hasNotFailed()
			.hasBean("grpcCallMetricsInterceptor")
			.hasSingleBean(ChannelMeters.class));
		metered.withPropertyValues("grpc-clients.metrics.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("grpcCallMetricsInterceptor")
				.doesNotHaveBean(ChannelMeters.class));
	}

	@Test
	void withoutGrpcOnTheClasspathThereAreNoBeans() {
		this.runner.withClassLoader(new FilteredClassLoader(ManagedChannel.class))
			.run(AutoConfigurationConditionsTest::assertNoGrpcBeans);
		this.runner.withClassLoader(new FilteredClassLoader(AbstractStub.class))
			.run(AutoConfigurationConditionsTest::assertNoGrpcBeans);
	}

	private static void assertNoGrpcBeans(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed()
			.doesNotHaveBean(ManagedChannelRegistry.class)
			.doesNotHaveBean(GrpcChannelFactory.class)
			.doesNotHaveBean(ChannelCredentialsFactory.class)
			.doesNotHaveBean(GrpcClientFactory.class)
			.doesNotHaveBean(StubFactory.class)
			.doesNotHaveBean(GrpcClientBeanPostProcessor.class)
			.doesNotHaveBean(ServiceInterceptorProvider.class)
			.doesNotHaveBean(ServicePropertiesBinder.class)
			.doesNotHaveBean(ServiceSettingsFactory.class)
			.doesNotHaveBean(ChannelTransport.class)
			.doesNotHaveBean(GrpcClientsProperties.class);
	}

	@Test
	void userChannelFactoryReplacesOurs() {
		this.runner.withBean("myChannelFactory", CountingChannelFactory.class).run((context) -> {
			assertThat(context).hasSingleBean(GrpcChannelFactory.class);
			assertThat(context.getBean(GrpcChannelFactory.class)).isInstanceOf(CountingChannelFactory.class);
			assertThat(context.getBean(CountingChannelFactory.class).created).hasValue(1);
			assertThat(context.getBean(ManagedChannelRegistry.class).getServiceNames()).containsExactly("echo");
		});
	}

	@Test
	void userRegistryReplacesOurs() {
		this.runner
			.withBean("myRegistry", ManagedChannelRegistry.class,
					() -> new ManagedChannelRegistry(
							new ServiceSettingsFactory(new ServicePropertiesBinder(new Binder()), null, false),
							new ServiceTransports(List.of(),
									new GrpcChannelFactory(new ShadedNettyChannelTransport(),
											new ChannelCredentialsFactory(null), List.of(), List.of())),
							new CallChainAssembler(List.of())))
			.run((context) -> {
				assertThat(context).hasSingleBean(ManagedChannelRegistry.class);
				assertThat(context.getBean(ManagedChannelRegistry.class).getServiceNames()).isEmpty();
				assertThat(context).getBeanNames(ManagedChannelRegistry.class).containsExactly("myRegistry");
			});
	}

	@Test
	void userGeneratedStubFactoryReplacesOursAndOtherStubFactoriesAreAskedFirst() {
		this.runner.withBean("myGeneratedStubFactory", GeneratedStubFactory.class)
			.withBean("textStubFactory", TextStubFactory.class)
			.withBean(TextClient.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(GeneratedStubFactory.class);
				assertThat(context).getBeanNames(GeneratedStubFactory.class).containsExactly("myGeneratedStubFactory");
				TextClient client = context.getBean(TextClient.class);
				assertThat(client.text.channel).isSameAs(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
				assertThat(client.stub).isNotNull();
			});
	}

	@Test
	void userGrpcClientFactoryReplacesOurs() {
		this.runner.withUserConfiguration(ClientFactoryConfiguration.class)
			.run((context) -> assertThat(context).getBeanNames(GrpcClientFactory.class)
				.containsExactly("myClientFactory"));
	}

	@Configuration(proxyBeanMethods = false)
	static class ClientFactoryConfiguration {

		@Bean
		GrpcClientFactory myClientFactory(ManagedChannelRegistry registry) {
			return new GrpcClientFactory(registry, List.of(new GeneratedStubFactory()));
		}

	}

	static class CountingChannelFactory extends GrpcChannelFactory {

		final AtomicInteger created = new AtomicInteger();

		CountingChannelFactory() {
			super(new ShadedNettyChannelTransport(), new ChannelCredentialsFactory(null), List.of(), List.of());
		}

		@Override
		public ManagedChannel create(ServiceSettings service, GrpcAddress address) {
			this.created.incrementAndGet();
			return super.create(service, address);
		}

	}

	/** A hand-written client type only {@link TextStubFactory} supports. */
	record TextStub(Channel channel) {
	}

	static class TextStubFactory implements StubFactory {

		@Override
		public boolean supports(Class<?> stubType) {
			return stubType == TextStub.class;
		}

		@Override
		public <T> T create(Class<T> stubType, Channel channel) {
			return stubType.cast(new TextStub(channel));
		}

	}

	static class TextClient {

		@GrpcClient("echo")
		TextStub text;

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceBlockingStub stub;

	}

}
