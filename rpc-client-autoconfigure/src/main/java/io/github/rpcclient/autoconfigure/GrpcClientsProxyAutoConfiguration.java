package io.github.rpcclient.autoconfigure;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.proxy.RpcProxyFactory;
import io.github.rpcclient.proxy.RpcProxyStubFactory;
import io.github.rpcclient.proxy.server.RpcHandlerMethods;
import io.github.rpcclient.proxy.server.RpcHandlerRegistry;
import io.github.rpcclient.proxy.server.RpcRouterService;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.StatefulRouteDriver;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Calls by message id: the {@link RpcProxyFactory} (also behind {@code @GrpcClient RpcProxy}
 * fields), when Jackson is on the classpath; typed JSON goes through the application's
 * {@link ObjectMapper}. With {@code grpc-clients.proxy.server.enabled=true}, also the router side:
 * an {@link RpcRouterService} dispatching to {@code @RpcHandler} methods, for the application to
 * register with its gRPC server.
 */
@AutoConfiguration(after = { GrpcClientsAutoConfiguration.class, GrpcClientsRoutingAutoConfiguration.class,
		JacksonAutoConfiguration.class })
@ConditionalOnClass(ObjectMapper.class)
@ConditionalOnBooleanProperty(name = "grpc-clients.enabled", matchIfMissing = true)
public class GrpcClientsProxyAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(ManagedChannelRegistry.class)
	RpcProxyFactory grpcRpcProxyFactory(ManagedChannelRegistry registry, GrpcClientsProperties properties,
			Environment environment, ObjectProvider<ObjectMapper> mapper, ObjectProvider<StatefulRouteDriver> driver,
			ObjectProvider<PodRegistry> pods) {
		String source = properties.getProxy().getSourceService();
		if (!StringUtils.hasText(source)) {
			source = environment.getProperty("spring.application.name", "application");
		}
		return new RpcProxyFactory(registry, source, mapper.getIfAvailable(ObjectMapper::new), driver.getIfAvailable(),
				pods.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(RpcProxyFactory.class)
	RpcProxyStubFactory grpcRpcProxyStubFactory(RpcProxyFactory factory) {
		return new RpcProxyStubFactory(factory);
	}

	/** The router side. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("grpc-clients.proxy.server.enabled")
	static class RouterConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RpcHandlerRegistry grpcRpcHandlerRegistry() {
			return new RpcHandlerRegistry();
		}

		@Bean
		@ConditionalOnMissingBean
		static RpcHandlerMethods grpcRpcHandlerMethods(ObjectProvider<RpcHandlerRegistry> registry) {
			return new RpcHandlerMethods(registry);
		}

		@Bean
		@ConditionalOnMissingBean
		RpcRouterService grpcRpcRouterService(RpcHandlerRegistry handlers, ObjectProvider<ObjectMapper> mapper) {
			return new RpcRouterService(handlers, mapper.getIfAvailable(ObjectMapper::new));
		}

	}

}
