package io.github.rpcclient.route;


import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.config.GrpcClientStartupException;
import io.github.rpcclient.config.GrpcClientsAutoConfiguration;
import io.github.rpcclient.config.GrpcClientsProperties;
import io.lettuce.core.RedisClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Stateful routing: when the application has a Redis connection (Spring Data Redis with Lettuce)
 * and Caffeine, defines the {@link PodRegistry}, the {@link StatefulRouteDriver}, the transport
 * and interceptor that pin calls of stateful services to their user's pod, and, with
 * {@code grpc-clients.routing.publish.enabled=true}, the {@link PodHeartbeatPublisher}. Without
 * Redis, a service configured {@code stateful: true} fails start-up with an explanation (even
 * with static pods: links must be shared by every client instance).
 */
@AutoConfiguration(after = { RedisAutoConfiguration.class, GrpcClientsAutoConfiguration.class })
@ConditionalOnClass({ LettuceConnectionFactory.class, RedisClient.class, Caffeine.class })
@ConditionalOnBean(RedisConnectionFactory.class)
@ConditionalOnBooleanProperty(name = "grpc-clients.enabled", matchIfMissing = true)
public class GrpcClientsRoutingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RouteStore grpcRouteStore(RedisConnectionFactory connectionFactory, GrpcClientsProperties properties) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new GrpcClientStartupException(
					"Stateful routing needs a Lettuce Redis connection, but the RedisConnectionFactory is a "
							+ connectionFactory.getClass().getName() + ".",
					"Use Lettuce (the default of spring-boot-starter-data-redis) instead of Jedis.");
		}
		RoutingProperties routing = RoutingPropertiesValidator.validate(properties.getRouting());
		return new RouteStore(lettuce, routing.getCommandTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	PodRegistry grpcPodRegistry(RouteStore store, GrpcClientsProperties properties,
			ObjectProvider<PodLifecycleListener> listeners) {
		return new PodRegistry(store, properties.getRouting(), () -> listeners.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	StatefulRouteDriver grpcStatefulRouteDriver(RouteStore store, PodRegistry registry,
			GrpcClientsProperties properties) {
		return new StatefulRouteDriver(store, registry, properties.getRouting());
	}

	@Bean
	StatefulTransportProvider grpcStatefulTransportProvider(PodRegistry registry, GrpcChannelFactory channelFactory,
			GrpcClientsProperties properties) {
		return new StatefulTransportProvider(registry, channelFactory, properties.getRouting().getNamespace());
	}

	@Bean
	ServiceInterceptorProvider grpcStatefulRouteInterceptor(StatefulRouteDriver driver, PodRegistry registry) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.ROUTE_ORDER,
				(service) -> service.isStateful() ? new StatefulRouteInterceptor(service.getName(), driver, registry)
						: null);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty("grpc-clients.routing.publish.enabled")
	PodHeartbeatPublisher grpcPodHeartbeatPublisher(RouteStore store, GrpcClientsProperties properties,
			ObjectProvider<PodLoad> load) {
		return new PodHeartbeatPublisher(store, properties.getRouting(), load.getIfAvailable(() -> () -> 0));
	}

}
