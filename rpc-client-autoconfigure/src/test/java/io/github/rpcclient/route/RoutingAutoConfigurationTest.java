package io.github.rpcclient.route;

import java.time.Duration;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.settings.InvalidServiceConfigurationException;
import io.github.rpcclient.settings.RoutingSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conditions and property binding of the routing auto-configuration (no Redis is contacted).
 */
class RoutingAutoConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
				GrpcClientsRoutingAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.port=1");

	@Test
	void definesTheRoutingBeansWithDocumentedDefaultsWhenRedisIsPresent() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(StatefulRouteDriver.class)
				.hasSingleBean(PodRegistry.class)
				.hasSingleBean(StatefulTransportProvider.class)
				.doesNotHaveBean(PodHeartbeatPublisher.class);
			RoutingProperties routing = context.getBean(GrpcClientsProperties.class).getRouting();
			assertThat(routing.getNamespace()).isEqualTo("default");
			assertThat(routing.getLinkTtl()).isEqualTo(Duration.ofSeconds(300));
			assertThat(context.getBean(RoutingSettings.class).nearCacheTtl()).isEqualTo(Duration.ofSeconds(240));
			assertThat(routing.getNearCacheMaxSize()).isEqualTo(100_000);
			assertThat(routing.getCommandTimeout()).isEqualTo(Duration.ofSeconds(1));
			assertThat(routing.getKeyPrefix()).isEqualTo("rpc");
			assertThat(routing.getHeartbeatTtl()).isEqualTo(Duration.ofSeconds(15));
			assertThat(routing.getRegistryRefresh()).isEqualTo(Duration.ofSeconds(2));
			assertThat(context.getBean(RoutingSettings.class).reconnectGrace()).as("heartbeat-ttl + 30s")
				.isEqualTo(Duration.ofSeconds(45));
			assertThat(routing.getPodRemovalAfter()).isEqualTo(Duration.ofMinutes(10));
			assertThat(context.getBean(StatefulRouteDriver.class).localNamespace()).isEqualTo("default");
		});
	}

	@Test
	void bindsEveryRoutingProperty() {
		this.runner
			.withPropertyValues("grpc-clients.routing.namespace=eu", "grpc-clients.routing.link-ttl=10m",
					"grpc-clients.routing.near-cache-ttl=1m", "grpc-clients.routing.near-cache-max-size=5",
					"grpc-clients.routing.command-timeout=200ms", "grpc-clients.routing.key-prefix=app",
					"grpc-clients.routing.heartbeat-ttl=5s", "grpc-clients.routing.registry-refresh=1s",
					"grpc-clients.routing.reconnect-grace=12s", "grpc-clients.routing.pod-removal-after=1h",
					"grpc-clients.routing.publish.service=session",
					"grpc-clients.routing.publish.index=3", "grpc-clients.routing.publish.address=10.0.0.3:9090",
					"grpc-clients.routing.publish.interval=2s")
			.run((context) -> {
				RoutingProperties routing = context.getBean(GrpcClientsProperties.class).getRouting();
				assertThat(routing.getNamespace()).isEqualTo("eu");
				assertThat(routing.getLinkTtl()).isEqualTo(Duration.ofMinutes(10));
				assertThat(routing.getNearCacheTtl()).isEqualTo(Duration.ofMinutes(1));
				assertThat(routing.getNearCacheMaxSize()).isEqualTo(5);
				assertThat(routing.getCommandTimeout()).isEqualTo(Duration.ofMillis(200));
				assertThat(routing.getKeyPrefix()).isEqualTo("app");
				assertThat(routing.getHeartbeatTtl()).isEqualTo(Duration.ofSeconds(5));
				assertThat(routing.getRegistryRefresh()).isEqualTo(Duration.ofSeconds(1));
				assertThat(routing.getReconnectGrace()).isEqualTo(Duration.ofSeconds(12));
				assertThat(routing.getPodRemovalAfter()).isEqualTo(Duration.ofHours(1));
				assertThat(routing.getPublish().getService()).isEqualTo("session");
				assertThat(routing.getPublish().getIndex()).isEqualTo(3);
				assertThat(routing.getPublish().getAddress()).isEqualTo("10.0.0.3:9090");
				assertThat(routing.getPublish().getInterval()).isEqualTo(Duration.ofSeconds(2));
			});
	}

	@Test
	void invalidRoutingSettingsFailStartUpListingEachProperty() {
		this.runner
			.withPropertyValues("grpc-clients.routing.link-ttl=30s", "grpc-clients.routing.near-cache-ttl=30s",
					"grpc-clients.routing.command-timeout=0s", "grpc-clients.routing.publish.enabled=true",
					"grpc-clients.routing.publish.index=0")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidServiceConfigurationException.class)
					.hasMessageContaining("grpc-clients.routing.near-cache-ttl = '30s': is not shorter than link-ttl")
					.hasMessageContaining("grpc-clients.routing.command-timeout = '0ms': is not a positive duration")
					.hasMessageContaining("grpc-clients.routing.publish.service = (unset): must not be blank")
					.hasMessageContaining("grpc-clients.routing.publish.index = '0': is below 1")
					.hasMessageContaining("grpc-clients.routing.publish.address = (unset)");
			});
	}

	@Test
	void bracesInTheNamespaceOrKeyPrefixFailStartUpNamingTheProperty() {
		this.runner.withPropertyValues("grpc-clients.routing.namespace=eu{1}", "grpc-clients.routing.key-prefix=rpc}")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidServiceConfigurationException.class)
					.hasMessageContaining("grpc-clients.routing.namespace = 'eu{1}': contains '{' or '}'")
					.hasMessageContaining("grpc-clients.routing.key-prefix = 'rpc}': contains '{' or '}'");
			});
	}

	@Test
	void noRoutingWhenSwitchedOff() {
		this.runner.withPropertyValues("grpc-clients.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(StatefulRouteDriver.class));
	}

}
