package io.github.rpcclient.autoconfigure;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.discovery.DiscoveredPods;
import io.github.rpcclient.discovery.DiscoveryNameResolverProvider;
import io.github.rpcclient.discovery.RefreshOnUnavailableInterceptor;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.StatefulTransportProvider;
import io.github.rpcclient.settings.DiscoverySettings;
import io.github.rpcclient.settings.GrpcAddress;
import io.lettuce.core.RedisClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code discovery:///service-id} addresses, when the application has Spring Cloud Commons and a
 * {@link DiscoveryClient} bean: the name resolver channels of such services use, its re-reads on
 * Spring Cloud's {@link HeartbeatEvent} and after UNAVAILABLE attempts, and (with stateful
 * routing) the pods of stateful services taken from the instances' metadata. Without it, a
 * {@code discovery:///} address fails start-up with a report naming the property.
 */
@AutoConfiguration(after = { GrpcClientsAutoConfiguration.class, GrpcClientsRoutingAutoConfiguration.class },
		afterName = { "org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration",
				"org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration" })
@ConditionalOnClass(DiscoveryClient.class)
@ConditionalOnBean(DiscoveryClient.class)
@ConditionalOnBooleanProperty(name = "grpc-clients.enabled", matchIfMissing = true)
public class GrpcClientsDiscoveryAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DiscoverySettings grpcDiscoverySettings(GrpcClientsProperties properties) {
		return DiscoverySettings.resolve(properties.getDiscovery());
	}

	@Bean
	@ConditionalOnMissingBean
	DiscoveryNameResolverProvider grpcDiscoveryNameResolverProvider(DiscoveryClient client,
			DiscoverySettings settings) {
		return new DiscoveryNameResolverProvider(client, settings.refreshInterval());
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcDiscoveryHeartbeatListener")
	ApplicationListener<HeartbeatEvent> grpcDiscoveryHeartbeatListener(DiscoveryNameResolverProvider resolver,
			ObjectProvider<DiscoveredPods> pods) {
		return new HeartbeatListener(resolver, pods);
	}

	@Bean
	@ConditionalOnMissingBean(name = "grpcDiscoveryRefreshInterceptor")
	ServiceInterceptorProvider grpcDiscoveryRefreshInterceptor(DiscoveryNameResolverProvider resolver,
			ObjectProvider<DiscoveredPods> pods) {
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.DISCOVERY_REFRESH_ORDER, (service) -> {
			if (service.address() == null || service.address().kind() != GrpcAddress.Kind.DISCOVERY) {
				return null;
			}
			if (!service.stateful()) {
				String serviceId = service.address().serviceId();
				return new RefreshOnUnavailableInterceptor(() -> resolver.refresh(serviceId));
			}
			DiscoveredPods discovered = pods.getIfAvailable();
			return (discovered != null) ? new RefreshOnUnavailableInterceptor(() -> discovered.refresh(service.name()))
					: null;
		});
	}

	/**
	 * Pods of stateful services from discovery, when stateful routing is active.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ RedisClient.class, Caffeine.class })
	@ConditionalOnBean(StatefulTransportProvider.class)
	static class DiscoveredPodsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		DiscoveredPods grpcDiscoveredPods(DiscoveryClient client, StatefulTransportProvider stateful,
				PodRegistry registry, DiscoverySettings settings) {
			return new DiscoveredPods(client, stateful, registry, settings.refreshInterval());
		}

	}

	/** Re-reads every discovered service when the discovery client reports a change. */
	private record HeartbeatListener(DiscoveryNameResolverProvider resolver,
			ObjectProvider<DiscoveredPods> pods) implements ApplicationListener<HeartbeatEvent> {

		@Override
		public void onApplicationEvent(HeartbeatEvent event) {
			this.resolver.refreshAll();
			this.pods.ifAvailable(DiscoveredPods::refreshAll);
		}

	}

}
