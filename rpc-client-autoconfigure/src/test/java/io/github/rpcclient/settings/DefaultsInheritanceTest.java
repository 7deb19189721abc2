package io.github.rpcclient.settings;

import java.time.Duration;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.properties.ChannelProperties.Compression;
import io.github.rpcclient.properties.ChannelProperties.ConnectMode;
import io.github.rpcclient.properties.RetryProperties;
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
			ServiceSettings b = context.getBean(ManagedChannelRegistry.class).get("b").settings();
			assertThat(b.timeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(b.connect()).isEqualTo(ConnectMode.LAZY);
			assertThat(b.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
			assertThat(b.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
			assertThat(b.maxInboundMessageSize()).isEqualTo(DataSize.ofMegabytes(8));
			assertThat(b.maxInboundMetadataSize()).isEqualTo(DataSize.ofKilobytes(8));
			assertThat(b.loadBalancingPolicy()).isEqualTo("round_robin");
			assertThat(b.userAgent()).isEqualTo("shop");
			assertThat(b.compression()).isEqualTo(Compression.GZIP);
			assertThat(b.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(2));
			assertThat(b.keepalive().time()).isEqualTo(Duration.ofSeconds(45));
			assertThat(b.keepalive().timeout()).isEqualTo(Duration.ofSeconds(20));
			assertThat(b.keepalive().withoutCalls()).isTrue();
			assertThat(b.tls().enabled()).isTrue();
			assertThat(b.tls().authorityOverride()).isEqualTo("api.example.com");
			assertThat(b.retry().maxAttempts()).isEqualTo(5);
			assertThat(b.retry().backoff()).isEqualTo(Duration.ofMillis(200));
			assertThat(b.retry().maxBackoff()).isEqualTo(Duration.ofSeconds(4));
		});
	}

	@Test
	void keysSetOnTheServiceWinAndNestedSiblingsStillInherit() {
		this.runner.run((context) -> {
			ServiceSettings a = context.getBean(ManagedChannelRegistry.class).get("a").settings();
			assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(2));
			assertThat(a.connect()).isEqualTo(ConnectMode.EAGER);
			assertThat(a.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
			assertThat(a.keepalive().time()).isEqualTo(Duration.ofSeconds(45));
			assertThat(a.keepalive().timeout()).isEqualTo(Duration.ofSeconds(7));
			assertThat(a.keepalive().withoutCalls()).isTrue();
			assertThat(a.tls().enabled()).isFalse();
			assertThat(a.tls().authorityOverride()).isEqualTo("api.example.com");
			assertThat(a.retry().maxAttempts()).isEqualTo(5);
			assertThat(a.retry().maxBackoff()).isEqualTo(Duration.ofSeconds(3));
		});
	}

	@Test
	void methodRetryIsLayeredOnServiceRetryOnDefaultRetry() {
		this.runner.run((context) -> {
			ServiceSettings a = context.getBean(ManagedChannelRegistry.class).get("a").settings();
			RetrySettings methodRetry = a.methods().get(0).retry();
			assertThat(methodRetry.multiplier()).isEqualTo(3.0);
			assertThat(methodRetry.maxBackoff()).as("from the service").isEqualTo(Duration.ofSeconds(3));
			assertThat(methodRetry.maxAttempts()).as("from defaults").isEqualTo(5);
			assertThat(methodRetry.backoff()).as("from defaults").isEqualTo(Duration.ofMillis(200));
			assertThat(a.retry().multiplier()).as("service retry untouched by the method")
				.isEqualTo(new RetryProperties().getMultiplier());
		});
	}

	@Test
	void withoutDefaultsTheBuiltInDefaultsApply() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=plain", "grpc-clients.services[0].address=127.0.0.1:1")
			.run((context) -> {
				ServiceSettings plain = context.getBean(ManagedChannelRegistry.class).get("plain").settings();
				assertThat(plain.timeout()).isEqualTo(Duration.ofSeconds(30));
				assertThat(plain.connect()).isEqualTo(ConnectMode.LAZY);
				assertThat(plain.keepalive().time()).isEqualTo(Duration.ofMinutes(5));
				assertThat(plain.tls().enabled()).isFalse();
				assertThat(plain.loadBalancingPolicy()).isEqualTo("pick_first");
			});
	}

	@Test
	void servicesRegisteredAtRuntimeInheritDefaults() {
		this.runner.run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			ServiceSettings late = registry.register("late", "127.0.0.1:3").settings();
			assertThat(late.timeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(late.keepalive().time()).isEqualTo(Duration.ofSeconds(45));
			assertThat(late.tls().authorityOverride()).isEqualTo("api.example.com");
			assertThat(late.retry().maxAttempts()).isEqualTo(5);
			assertThat(registry.getServiceNames()).containsExactlyInAnyOrder("a", "b", "late");
		});
	}

}
