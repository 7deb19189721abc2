package io.github.rpcclient.config;

import java.time.Duration;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.config.ChannelProperties.Compression;
import io.github.rpcclient.config.ChannelProperties.ConnectMode;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Services inherit every key they leave unset from {@code grpc-clients.defaults}, nested keys
 * included, and a key set on the service wins.
 */
class DefaultsInheritanceTest {

	private static final String METHOD = "rpcclient.test.EchoService/Echo";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
		.withPropertyValues("grpc-clients.defaults.timeout=5s", "grpc-clients.defaults.connect-timeout=3s",
				"grpc-clients.defaults.idle-timeout=1m", "grpc-clients.defaults.max-inbound-message-size=8MB",
				"grpc-clients.defaults.load-balancing-policy=round_robin", "grpc-clients.defaults.user-agent=shop",
				"grpc-clients.defaults.compression=gzip", "grpc-clients.defaults.shutdown-grace-period=2s",
				"grpc-clients.defaults.keepalive.time=45s", "grpc-clients.defaults.keepalive.without-calls=true",
				"grpc-clients.defaults.tls.enabled=true", "grpc-clients.defaults.tls.authority-override=api.example.com",
				"grpc-clients.defaults.retry.max-attempts=5", "grpc-clients.defaults.retry.backoff=200ms",
				"grpc-clients.defaults.retry.max-backoff=4s",
				// service 'a' overrides some keys, nested ones too
				"grpc-clients.services[0].name=a", "grpc-clients.services[0].address=127.0.0.1:1",
				"grpc-clients.services[0].timeout=2s", "grpc-clients.services[0].connect=eager",
				"grpc-clients.services[0].keepalive.timeout=7s", "grpc-clients.services[0].tls.enabled=false",
				"grpc-clients.services[0].retry.max-backoff=3s", "grpc-clients.services[0].methods[0].name=" + METHOD,
				"grpc-clients.services[0].methods[0].retry.multiplier=3",
				// service 'b' sets nothing but its name and address
				"grpc-clients.services[1].name=b", "grpc-clients.services[1].address=127.0.0.1:2");

	@Test
	void serviceInheritsEveryUnsetKeyFromDefaults() {
		this.runner.run((context) -> {
			ServiceProperties b = context.getBean(ManagedChannelRegistry.class).get("b").service();
			assertThat(b.getTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(b.getConnect()).isEqualTo(ConnectMode.LAZY);
			assertThat(b.getConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
			assertThat(b.getIdleTimeout()).isEqualTo(Duration.ofMinutes(1));
			assertThat(b.getMaxInboundMessageSize()).isEqualTo(DataSize.ofMegabytes(8));
			assertThat(b.getMaxInboundMetadataSize()).isEqualTo(DataSize.ofKilobytes(8));
			assertThat(b.getLoadBalancingPolicy()).isEqualTo("round_robin");
			assertThat(b.getUserAgent()).isEqualTo("shop");
			assertThat(b.getCompression()).isEqualTo(Compression.GZIP);
			assertThat(b.getShutdownGracePeriod()).isEqualTo(Duration.ofSeconds(2));
			assertThat(b.getKeepalive().getTime()).isEqualTo(Duration.ofSeconds(45));
			assertThat(b.getKeepalive().getTimeout()).isEqualTo(Duration.ofSeconds(20));
			assertThat(b.getKeepalive().isWithoutCalls()).isTrue();
			assertThat(b.getTls().isEnabled()).isTrue();
			assertThat(b.getTls().getAuthorityOverride()).isEqualTo("api.example.com");
			assertThat(b.getRetry().getMaxAttempts()).isEqualTo(5);
			assertThat(b.getRetry().getBackoff()).isEqualTo(Duration.ofMillis(200));
			assertThat(b.getRetry().getMaxBackoff()).isEqualTo(Duration.ofSeconds(4));
		});
	}

	@Test
	void keysSetOnTheServiceWinAndNestedSiblingsStillInherit() {
		this.runner.run((context) -> {
			ServiceProperties a = context.getBean(ManagedChannelRegistry.class).get("a").service();
			assertThat(a.getTimeout()).isEqualTo(Duration.ofSeconds(2));
			assertThat(a.getConnect()).isEqualTo(ConnectMode.EAGER);
			assertThat(a.getConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
			assertThat(a.getKeepalive().getTime()).isEqualTo(Duration.ofSeconds(45));
			assertThat(a.getKeepalive().getTimeout()).isEqualTo(Duration.ofSeconds(7));
			assertThat(a.getKeepalive().isWithoutCalls()).isTrue();
			assertThat(a.getTls().isEnabled()).isFalse();
			assertThat(a.getTls().getAuthorityOverride()).isEqualTo("api.example.com");
			assertThat(a.getRetry().getMaxAttempts()).isEqualTo(5);
			assertThat(a.getRetry().getMaxBackoff()).isEqualTo(Duration.ofSeconds(3));
		});
	}

	@Test
	void methodRetryIsLayeredOnServiceRetryOnDefaultRetry() {
		this.runner.run((context) -> {
			ServiceProperties a = context.getBean(ManagedChannelRegistry.class).get("a").service();
			RetryProperties methodRetry = a.getMethods().get(0).getRetry();
			assertThat(methodRetry.getMultiplier()).isEqualTo(3.0);
			assertThat(methodRetry.getMaxBackoff()).as("from the service").isEqualTo(Duration.ofSeconds(3));
			assertThat(methodRetry.getMaxAttempts()).as("from defaults").isEqualTo(5);
			assertThat(methodRetry.getBackoff()).as("from defaults").isEqualTo(Duration.ofMillis(200));
			assertThat(a.getRetry().getMultiplier()).as("service retry untouched by the method")
				.isEqualTo(new RetryProperties().getMultiplier());
		});
	}

	@Test
	void withoutDefaultsTheBuiltInDefaultsApply() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=plain", "grpc-clients.services[0].address=127.0.0.1:1")
			.run((context) -> {
				ServiceProperties plain = context.getBean(ManagedChannelRegistry.class).get("plain").service();
				assertThat(plain.getTimeout()).isEqualTo(Duration.ofSeconds(30));
				assertThat(plain.getConnect()).isEqualTo(ConnectMode.LAZY);
				assertThat(plain.getKeepalive().getTime()).isEqualTo(Duration.ofMinutes(5));
				assertThat(plain.getTls().isEnabled()).isFalse();
				assertThat(plain.getLoadBalancingPolicy()).isEqualTo("pick_first");
			});
	}

	@Test
	void servicesRegisteredAtRuntimeInheritDefaults() {
		this.runner.run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			ServiceProperties late = registry.register("late", "127.0.0.1:3").service();
			assertThat(late.getTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(late.getKeepalive().getTime()).isEqualTo(Duration.ofSeconds(45));
			assertThat(late.getTls().getAuthorityOverride()).isEqualTo("api.example.com");
			assertThat(late.getRetry().getMaxAttempts()).isEqualTo(5);
			assertThat(registry.getServiceNames()).containsExactlyInAnyOrder("a", "b", "late");
		});
	}

}
