package io.github.rpcclient.autoconfigure;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.route.LinkChangeSubscriber;
import io.github.rpcclient.route.PodHeartbeatPublisher;
import io.github.rpcclient.route.PodLifecycleListener;
import io.github.rpcclient.route.PodLoad;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.RouteStore;
import io.github.rpcclient.route.StatefulRouteDriver;
import io.github.rpcclient.route.StatefulRouteInterceptor;
import io.github.rpcclient.route.StatefulTransportProvider;
import io.github.rpcclient.settings.GrpcClientStartupException;
import io.github.rpcclient.settings.RoutingSettings;
import io.github.rpcclient.settings.RoutingSettingsFactory;
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
 * and Caffeine, defines the {@link PodRegistry}, the {@link StatefulRouteDriver} with the
 * {@link LinkChangeSubscriber} that keeps its near cache in step with other clients, the transport
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
	RoutingSettings grpcRoutingSettings(GrpcClientsProperties properties) {
		return RoutingSettingsFactory.resolve(properties.getRouting());
	}

	@Bean
	@ConditionalOnMissingBean
	RouteStore grpcRouteStore(RedisConnectionFactory connectionFactory, RoutingSettings routing) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new GrpcClientStartupException(
					"Stateful routing needs a Lettuce Redis connection, but the RedisConnectionFactory is a "
							+ connectionFactory.getClass().getName() + ".",
					"Use Lettuce (the default of spring-boot-starter-data-redis) instead of Jedis.");
		}
		return new RouteStore(lettuce, routing.commandTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	PodRegistry grpcPodRegistry(RouteStore store, RoutingSettings routing,
			ObjectProvider<PodLifecycleListener> listeners) {
		return new PodRegistry(store, routing, () -> listeners.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	StatefulRouteDriver grpcStatefulRouteDriver(RouteStore store, PodRegistry registry, RoutingSettings routing) {
		return new StatefulRouteDriver(store, registry, routing);
	}

	@Bean
	@ConditionalOnMissingBean
	LinkChangeSubscriber grpcLinkChangeSubscriber(RouteStore store, StatefulRouteDriver driver,
			RoutingSettings routing) {
		return new LinkChangeSubscriber(store, driver, routing.registryRefresh());
	}

	@Bean
	@ConditionalOnMissingBean(value = StatefulTransportProvider.class, name = "grpcStatefulTransportProvider")
	StatefulTransportProvider grpcStatefulTransportProvider(PodRegistry registry, GrpcChannelFactory channelFactory,
			RoutingSettings routing) {
		return new StatefulTransportProvider(registry, channelFactory, routing.namespace());
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcStatefulRouteInterceptor")
	ServiceInterceptorProvider grpcStatefulRouteInterceptor(StatefulRouteDriver driver, PodRegistry registry) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.ROUTE_ORDER,
				(service) -> service.stateful() ? new StatefulRouteInterceptor(service.name(), driver, registry)
						: null);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty("grpc-clients.routing.publish.enabled")
	PodHeartbeatPublisher grpcPodHeartbeatPublisher(RouteStore store, RoutingSettings routing,
			ObjectProvider<PodLoad> load) {
		return new PodHeartbeatPublisher(store, routing, load.getIfAvailable(() -> () -> 0));
	}

}
