package io.github.rpcclient.autoconfigure;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.rpcclient.actuate.ChannelMeters;
import io.github.rpcclient.actuate.PodAccess;
import io.github.rpcclient.actuate.RouteMeters;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.route.RouteStore;
import io.github.rpcclient.route.StatefulRouteDriver;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Gauges of the configured services ({@link ChannelMeters}: connectivity state, calls in flight)
 * and, with stateful routing, {@link RouteMeters} (near cache, Redis operations, pods by state).
 */
@AutoConfiguration(after = { CompositeMeterRegistryAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
		GrpcClientsActuatorAutoConfiguration.class },
		afterName = "io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, ManagedChannelRegistry.class })
@ConditionalOnBooleanProperty(name = { "grpc-clients.enabled", "grpc-clients.metrics.enabled" }, matchIfMissing = true)
public class GrpcClientsMeterBindersAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ChannelMeters grpcChannelMeters(ManagedChannelRegistry registry) {
		return new ChannelMeters(registry);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Caffeine.class, RouteStore.class })
	@ConditionalOnBean({ StatefulRouteDriver.class, RouteStore.class, PodAccess.class })
	static class Routing {

		@Bean
		@ConditionalOnMissingBean
		RouteMeters grpcRouteMeters(ManagedChannelRegistry channels, StatefulRouteDriver driver, RouteStore store,
				PodAccess pods) {
			return new RouteMeters(channels, driver, store, pods);
		}

	}

}
