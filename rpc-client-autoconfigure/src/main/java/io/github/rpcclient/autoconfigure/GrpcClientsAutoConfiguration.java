package io.github.rpcclient.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.channel.CallChainAssembler;
import io.github.rpcclient.channel.ChannelCredentialsFactory;
import io.github.rpcclient.channel.ChannelTransport;
import io.github.rpcclient.channel.GrpcChannelCustomizer;
import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.channel.ServiceTransportProvider;
import io.github.rpcclient.channel.ServiceTransports;
import io.github.rpcclient.interceptor.CompressionClientInterceptor;
import io.github.rpcclient.interceptor.DeadlineClientInterceptor;
import io.github.rpcclient.interceptor.FailureHintClientInterceptor;
import io.github.rpcclient.interceptor.LoggingClientInterceptor;
import io.github.rpcclient.interceptor.RequestIdClientInterceptor;
import io.github.rpcclient.properties.ChannelProperties.Compression;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.properties.ServicePropertiesBinder;
import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.properties.GrpcClientsProperties.UnknownKeys;
import io.github.rpcclient.settings.ConfigurationKeysChecker;
import io.github.rpcclient.settings.ConfigurationViolation;
import io.github.rpcclient.settings.InvalidServiceConfigurationException;
import io.github.rpcclient.settings.RequestIdSettings;
import io.github.rpcclient.settings.ServiceSettingsFactory;
import io.github.rpcclient.stub.GeneratedStubFactory;
import io.github.rpcclient.stub.GrpcClientBeanPostProcessor;
import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.stub.StubFactory;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverProvider;
import io.grpc.stub.AbstractStub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the gRPC clients: the configured services resolved into immutable
 * settings, one {@link ManagedChannelRegistry} holding a channel per service on the application's
 * transport, the interceptor chain in front of each, and {@code @GrpcClient} injection.
 * {@code grpc-clients.enabled=false} switches it off; a bean defined by the user replaces the one
 * of the same type here, and for the places of the chain ({@link ServiceInterceptorProvider}s,
 * many of one type) the one of the same name.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnClass({ ManagedChannel.class, AbstractStub.class })
@ConditionalOnBooleanProperty(name = "grpc-clients.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GrpcClientsProperties.class)
@Import({ ChannelTransportConfigurations.ShadedNetty.class, ChannelTransportConfigurations.Netty.class,
		ChannelTransportConfigurations.OkHttp.class })
public class GrpcClientsAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(GrpcClientsAutoConfiguration.class);

	GrpcClientsAutoConfiguration() {
		GrpcJarVersions.check(GrpcJarVersions.onClasspath(GrpcClientsAutoConfiguration.class.getClassLoader()));
	}

	@Bean
	@ConditionalOnMissingBean
	ServicePropertiesBinder grpcServicePropertiesBinder(Environment environment) {
		checkKeys(environment);
		return new ServicePropertiesBinder(Binder.get(environment));
	}

	/**
	 * Reports keys under grpc-clients that no setting has, and TLS keys where TLS is off: fails
	 * start-up, or with {@code grpc-clients.unknown-keys=warn} logs them.
	 */
	private static void checkKeys(Environment environment) {
		List<ConfigurationViolation> violations = ConfigurationKeysChecker
			.check(ConfigurationPropertySources.get(environment));
		if (violations.isEmpty()) {
			return;
		}
		UnknownKeys mode = Binder.get(environment)
			.bind("grpc-clients.unknown-keys", UnknownKeys.class)
			.orElse(UnknownKeys.FAIL);
		if (mode == UnknownKeys.FAIL) {
			throw new InvalidServiceConfigurationException(violations);
		}
		violations.forEach((violation) -> logger.warn("{} ({})", violation, violation.fix()));
	}

	@Bean
	@ConditionalOnMissingBean
	ServiceSettingsFactory grpcServiceSettingsFactory(ServicePropertiesBinder binder,
			ObjectProvider<SslBundles> sslBundles, ObjectProvider<NameResolverProvider> resolvers) {
		boolean discovery = resolvers.stream()
			.anyMatch((resolver) -> GrpcAddress.DISCOVERY_SCHEME.equals(resolver.getDefaultScheme()));
		return new ServiceSettingsFactory(binder, sslBundles.getIfAvailable(), discovery);
	}

	@Bean
	@ConditionalOnMissingBean
	ChannelCredentialsFactory grpcChannelCredentialsFactory(ObjectProvider<SslBundles> sslBundles) {
		return new ChannelCredentialsFactory(sslBundles.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	GrpcChannelFactory grpcChannelFactory(ObjectProvider<ChannelTransport> transport,
			ChannelCredentialsFactory credentialsFactory, ObjectProvider<GrpcChannelCustomizer<?>> customizers,
			ObjectProvider<NameResolverProvider> resolvers) {
		return new GrpcChannelFactory(transport.getIfAvailable(), credentialsFactory, customizers.orderedStream().toList(),
				resolvers.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	ServiceTransports grpcServiceTransports(ObjectProvider<ServiceTransportProvider> providers,
			GrpcChannelFactory channelFactory) {
		return new ServiceTransports(providers.orderedStream().toList(), channelFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	CallChainAssembler grpcCallChainAssembler(ObjectProvider<ServiceInterceptorProvider> providers,
			ListableBeanFactory beanFactory) {
		List<ServiceInterceptorProvider> chain = new ArrayList<>(providers.orderedStream().toList());
		chain.addAll(GlobalClientInterceptors.find(beanFactory));
		return new CallChainAssembler(chain);
	}

	@Bean
	@ConditionalOnMissingBean
	ManagedChannelRegistry grpcChannelRegistry(GrpcClientsProperties properties,
			ServiceSettingsFactory settingsFactory, ServiceTransports transports, CallChainAssembler chains) {
		ManagedChannelRegistry registry = new ManagedChannelRegistry(settingsFactory, transports, chains);
		registry.registerAll(settingsFactory.configuredServices(properties));
		return registry;
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcRequestIdInterceptor")
	@ConditionalOnBooleanProperty(name = "grpc-clients.request-id.enabled", matchIfMissing = true)
	ServiceInterceptorProvider grpcRequestIdInterceptor(GrpcClientsProperties properties) {
		RequestIdSettings settings = RequestIdSettings.resolve(properties.getRequestId());
		return ServiceInterceptorProvider.global(new RequestIdClientInterceptor(settings),
				ServiceInterceptorProvider.REQUEST_ID_ORDER);
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcLoggingInterceptor")
	@ConditionalOnBooleanProperty(name = "grpc-clients.logging.enabled", matchIfMissing = true)
	ServiceInterceptorProvider grpcLoggingInterceptor(GrpcClientsProperties properties) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.LOGGING_ORDER,
				(service) -> new LoggingClientInterceptor(service.name(), service.describeTarget(),
						properties.getLogging().getWarnInterval()));
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcFailureHintInterceptor")
	ServiceInterceptorProvider grpcFailureHintInterceptor() {
		// just inside logging, so that logged failures carry the hint too
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.FAILURE_HINT_ORDER,
				FailureHintClientInterceptor::new);
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcDeadlineInterceptor")
	ServiceInterceptorProvider grpcDeadlineInterceptor() {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.DEADLINE_ORDER,
				(service) -> DeadlineClientInterceptor.appliesTo(service) ? new DeadlineClientInterceptor(service) : null);
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcCompressionInterceptor")
	ServiceInterceptorProvider grpcCompressionInterceptor() {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.DEADLINE_ORDER,
				(service) -> (service.compression() == Compression.GZIP) ? new CompressionClientInterceptor("gzip")
						: null);
	}

	@Bean
	@ConditionalOnMissingBean
	GeneratedStubFactory grpcGeneratedStubFactory() {
		return new GeneratedStubFactory();
	}

	@Bean
	@ConditionalOnMissingBean
	GrpcClientFactory grpcClientFactory(ManagedChannelRegistry registry, ObjectProvider<StubFactory> stubFactories) {
		List<StubFactory> ordered = new ArrayList<>();
		stubFactories.orderedStream().filter((factory) -> !(factory instanceof GeneratedStubFactory)).forEach(ordered::add);
		stubFactories.orderedStream().filter(GeneratedStubFactory.class::isInstance).forEach(ordered::add);
		return new GrpcClientFactory(registry, ordered);
	}

	@Bean
	@ConditionalOnMissingBean
	static GrpcClientBeanPostProcessor grpcClientsBeanPostProcessor(ObjectProvider<GrpcClientFactory> clientFactory,
			ObjectProvider<ManagedChannelRegistry> registry) {
		return new GrpcClientBeanPostProcessor(clientFactory, registry);
	}

}
