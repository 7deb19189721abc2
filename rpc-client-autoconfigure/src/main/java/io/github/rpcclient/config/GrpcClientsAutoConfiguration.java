package io.github.rpcclient.config;

import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.channel.ChannelCredentialsFactory;
import io.github.rpcclient.channel.GrpcChannelCustomizer;
import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.GrpcGlobalClientInterceptor;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.channel.ServiceTransportProvider;
import io.github.rpcclient.config.ChannelProperties.Compression;
import io.github.rpcclient.interceptor.CompressionClientInterceptor;
import io.github.rpcclient.interceptor.DeadlineClientInterceptor;
import io.github.rpcclient.interceptor.FailureHintClientInterceptor;
import io.github.rpcclient.interceptor.LoggingClientInterceptor;
import io.github.rpcclient.interceptor.RequestIdClientInterceptor;
import io.github.rpcclient.stub.GeneratedStubFactory;
import io.github.rpcclient.stub.GrpcClientBeanPostProcessor;
import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.stub.StubFactory;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the gRPC clients: one {@link ManagedChannelRegistry} holding a channel
 * per configured service, the interceptor chain in front of each, and {@code @GrpcClient}
 * injection. {@code grpc-clients.enabled=false} switches it off; any bean defined by the user
 * replaces the one of the same type here.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnClass({ ManagedChannel.class, AbstractStub.class })
@ConditionalOnBooleanProperty(name = "grpc-clients.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GrpcClientsProperties.class)
public class GrpcClientsAutoConfiguration {

	private static final String SERVICES = "grpc-clients.services";

	@Bean
	@ConditionalOnMissingBean
	ServiceDefaults grpcServiceDefaults(Environment environment) {
		return new ServiceDefaults(Binder.get(environment));
	}

	@Bean
	@ConditionalOnMissingBean
	ServicePropertiesValidator grpcServicePropertiesValidator(ObjectProvider<SslBundles> sslBundles) {
		return new ServicePropertiesValidator(sslBundles.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	ChannelCredentialsFactory grpcChannelCredentialsFactory(ObjectProvider<SslBundles> sslBundles) {
		return new ChannelCredentialsFactory(sslBundles.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	GrpcChannelFactory grpcChannelFactory(ChannelCredentialsFactory credentialsFactory,
			ObjectProvider<GrpcChannelCustomizer> customizers) {
		return new GrpcChannelFactory(credentialsFactory, customizers.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	ManagedChannelRegistry grpcChannelRegistry(GrpcClientsProperties properties, ServiceDefaults serviceDefaults,
			ServicePropertiesValidator validator, GrpcChannelFactory channelFactory,
			ObjectProvider<ServiceInterceptorProvider> interceptorProviders,
			ObjectProvider<ServiceTransportProvider> transportProviders, ListableBeanFactory beanFactory) {
		validator.validateDefaults(properties.getDefaults(), "grpc-clients.defaults");
		List<ServiceProperties> services = serviceDefaults.bindConfiguredServices(properties.getServices().size());
		validator.validate(services, SERVICES);
		List<ServiceInterceptorProvider> chain = new ArrayList<>(interceptorProviders.orderedStream().toList());
		chain.addAll(globalInterceptors(beanFactory));
		ManagedChannelRegistry registry = new ManagedChannelRegistry(serviceDefaults, validator, channelFactory, chain,
				transportProviders.orderedStream().toList());
		registry.registerValidated(services);
		return registry;
	}

	private static List<ServiceInterceptorProvider> globalInterceptors(ListableBeanFactory beanFactory) {
		List<ServiceInterceptorProvider> providers = new ArrayList<>();
		for (String name : beanFactory.getBeanNamesForAnnotation(GrpcGlobalClientInterceptor.class)) {
			Object bean = beanFactory.getBean(name);
			if (!(bean instanceof ClientInterceptor interceptor)) {
				throw new GrpcClientStartupException(
						"Bean '" + name + "' is marked @GrpcGlobalClientInterceptor but is a " + bean.getClass().getName()
								+ ", not an io.grpc.ClientInterceptor.",
						"Remove the annotation or make the bean implement io.grpc.ClientInterceptor.");
			}
			Order order = beanFactory.findAnnotationOnBean(name, Order.class);
			int position = (bean instanceof Ordered ordered) ? ordered.getOrder()
					: (order != null) ? order.value() : Ordered.LOWEST_PRECEDENCE;
			providers.add(ServiceInterceptorProvider.global(interceptor, position));
		}
		return providers;
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "grpc-clients.request-id.enabled", matchIfMissing = true)
	ServiceInterceptorProvider grpcRequestIdInterceptor(GrpcClientsProperties properties) {
		return ServiceInterceptorProvider.global(new RequestIdClientInterceptor(properties.getRequestId()),
				ServiceInterceptorProvider.REQUEST_ID_ORDER);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "grpc-clients.logging.enabled", matchIfMissing = true)
	ServiceInterceptorProvider grpcLoggingInterceptor() {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.LOGGING_ORDER,
				(service) -> new LoggingClientInterceptor(service.getName(), service.describeTarget()));
	}

	@Bean
	ServiceInterceptorProvider grpcFailureHintInterceptor() {
		// just inside logging, so that logged failures carry the hint too
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.FAILURE_HINT_ORDER,
				FailureHintClientInterceptor::new);
	}

	@Bean
	ServiceInterceptorProvider grpcDeadlineInterceptor() {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.DEADLINE_ORDER,
				(service) -> DeadlineClientInterceptor.appliesTo(service) ? new DeadlineClientInterceptor(service) : null);
	}

	@Bean
	ServiceInterceptorProvider grpcCompressionInterceptor() {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.DEADLINE_ORDER,
				(service) -> (service.getCompression() == Compression.GZIP) ? new CompressionClientInterceptor("gzip")
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
	static GrpcClientBeanPostProcessor grpcClientBeanPostProcessor(ObjectProvider<GrpcClientFactory> clientFactory,
			ObjectProvider<ManagedChannelRegistry> registry) {
		return new GrpcClientBeanPostProcessor(clientFactory, registry);
	}

}
