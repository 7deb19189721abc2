package io.github.rpcclient.resilience;

import java.time.Duration;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsLimitsAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.settings.BulkheadSettings;
import io.github.rpcclient.settings.InvalidServiceConfigurationException;
import io.github.rpcclient.test.EchoBackendExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How {@code grpc-clients.*} and {@code resilience4j.*} settings make the bulkhead and rate-limiter
 * instances, and the conditions of their auto-configuration.
 */
class LimitsConfigurationTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();

	private static ApplicationContextRunner runner(String... properties) {
		return LimitsTestSupport.runner(backend.address(), properties);
	}

	@Test
	void offByDefault() {
		runner().run((context) -> {
			assertThat(context).hasBean("grpcBulkheadInterceptor").hasBean("grpcRateLimiterInterceptor");
			assertThat(context.getBean(BulkheadRegistry.class).find("echo")).isEmpty();
			assertThat(context.getBean(RateLimiterRegistry.class).find("echo")).isEmpty();
			assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
		});
	}

	@Test
	void defaultsApplyToEveryServiceAndAServiceMayRefineOrSwitchThemOff() {
		runner("grpc-clients.defaults.bulkhead.enabled=true", "grpc-clients.defaults.bulkhead.max-concurrent-calls=7",
				"grpc-clients.defaults.rate-limiter.enabled=true", "grpc-clients.defaults.rate-limiter.limit-for-period=9",
				"grpc-clients.defaults.rate-limiter.limit-refresh-period=2s",
				"grpc-clients.services[0].bulkhead.max-concurrent-calls=5",
				"grpc-clients.services[1].name=other", "grpc-clients.services[1].address=" + backend.address(),
				"grpc-clients.services[1].rate-limiter.enabled=false",
				"grpc-clients.services[2].name=third", "grpc-clients.services[2].address=" + backend.address(),
				"grpc-clients.services[2].bulkhead.enabled=false")
			.run((context) -> {
				assertThat(bulkheadConfig(context, "echo").getMaxConcurrentCalls()).isEqualTo(5);
				assertThat(bulkheadConfig(context, "other").getMaxConcurrentCalls()).isEqualTo(7);
				assertThat(context.getBean(BulkheadRegistry.class).find("third")).isEmpty();
				RateLimiterConfig limiter = rateLimiterConfig(context, "echo");
				assertThat(limiter.getLimitForPeriod()).isEqualTo(9);
				assertThat(limiter.getLimitRefreshPeriod()).isEqualTo(Duration.ofSeconds(2));
				assertThat(rateLimiterConfig(context, "third").getLimitForPeriod()).isEqualTo(9);
				assertThat(context.getBean(RateLimiterRegistry.class).find("other")).isEmpty();
			});
	}

	@Test
	void instancesNeverWait() {
		runner("grpc-clients.services[0].bulkhead.enabled=true", "grpc-clients.services[0].rate-limiter.enabled=true")
			.run((context) -> {
				BulkheadConfig bulkhead = bulkheadConfig(context, "echo");
				assertThat(bulkhead.getMaxConcurrentCalls()).as("built-in default").isEqualTo(100);
				assertThat(bulkhead.getMaxWaitDuration()).isZero();
				RateLimiterConfig limiter = rateLimiterConfig(context, "echo");
				assertThat(limiter.getLimitForPeriod()).as("built-in default").isEqualTo(100);
				assertThat(limiter.getLimitRefreshPeriod()).as("built-in default").isEqualTo(Duration.ofSeconds(1));
				assertThat(limiter.getTimeoutDuration()).isZero();
			});
	}

	@Test
	void resilience4jInstanceSettingsWinKeyByKeyButNeverMakeACallWait() {
		runner("grpc-clients.services[0].bulkhead.enabled=true",
				"grpc-clients.services[0].bulkhead.max-concurrent-calls=10",
				"grpc-clients.services[0].rate-limiter.enabled=true",
				"grpc-clients.services[0].rate-limiter.limit-for-period=10",
				"grpc-clients.services[0].rate-limiter.limit-refresh-period=1h",
				"resilience4j.bulkhead.instances.echo.max-concurrent-calls=2",
				"resilience4j.bulkhead.instances.echo.max-wait-duration=5s",
				"resilience4j.ratelimiter.instances.echo.limit-for-period=4",
				"resilience4j.ratelimiter.instances.echo.timeout-duration=5s")
			.run((context) -> {
				BulkheadConfig bulkhead = bulkheadConfig(context, "echo");
				assertThat(bulkhead.getMaxConcurrentCalls()).as("from resilience4j.*").isEqualTo(2);
				assertThat(bulkhead.getMaxWaitDuration()).as("never waits").isZero();
				assertThat(context.getBean(BulkheadInstances.class).limitProperty("echo", new BulkheadSettings(true, 10)))
					.isEqualTo("resilience4j.bulkhead.instances.echo.max-concurrent-calls=2");
				RateLimiterConfig limiter = rateLimiterConfig(context, "echo");
				assertThat(limiter.getLimitForPeriod()).as("from resilience4j.*").isEqualTo(4);
				assertThat(limiter.getLimitRefreshPeriod()).as("from grpc-clients.*").isEqualTo(Duration.ofHours(1));
				assertThat(limiter.getTimeoutDuration()).as("never waits").isZero();

				for (int i = 0; i < 4; i++) {
					blocking(context).echo(request("x"));
				}
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
					.satisfies((ex) -> {
						assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
						assertThat(ex.getStatus().getDescription()).isEqualTo(
								"gRPC service 'echo' has started 4 calls in this period, its limit "
										+ "(resilience4j.ratelimiter.instances.echo.limit-for-period=4, "
										+ "grpc-clients.services[echo].rate-limiter.limit-refresh-period=1h): "
										+ "the call was not sent");
					});
			});
	}

	@Test
	void invalidLimitsFailStartUpNamingEachProperty() {
		runner("grpc-clients.services[0].bulkhead.max-concurrent-calls=0",
				"grpc-clients.services[0].rate-limiter.limit-for-period=0",
				"grpc-clients.services[0].rate-limiter.limit-refresh-period=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidServiceConfigurationException.class)
				.hasMessageContaining("grpc-clients.services[0].bulkhead.max-concurrent-calls = '0': is below 1")
				.hasMessageContaining("grpc-clients.services[0].rate-limiter.limit-for-period = '0': is below 1")
				.hasMessageContaining(
						"grpc-clients.services[0].rate-limiter.limit-refresh-period = '0ms': is not a positive duration"));
		runner("grpc-clients.defaults.bulkhead.max-concurrent-calls=-1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("grpc-clients.defaults.bulkhead.max-concurrent-calls = '-1': is below 1"));
	}

	@Test
	void withoutTheBulkheadModuleThereIsNoBulkheadAndTheRateLimiterStillWorks() {
		runner("grpc-clients.defaults.bulkhead.enabled=true", "grpc-clients.defaults.rate-limiter.enabled=true")
			.withClassLoader(new FilteredClassLoader("io.github.resilience4j.bulkhead"))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean("grpcBulkheadInterceptor")
					.doesNotHaveBean(BulkheadInstances.class)
					.hasBean("grpcRateLimiterInterceptor");
				assertThat(context.getBean(RateLimiterRegistry.class).find("echo")).isPresent();
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			});
	}

	@Test
	void withoutTheRateLimiterModuleThereIsNoRateLimiterAndTheBulkheadStillWorks() {
		runner("grpc-clients.defaults.bulkhead.enabled=true", "grpc-clients.defaults.rate-limiter.enabled=true")
			.withClassLoader(new FilteredClassLoader("io.github.resilience4j.ratelimiter"))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean("grpcRateLimiterInterceptor")
					.doesNotHaveBean(RateLimiterInstances.class)
					.hasBean("grpcBulkheadInterceptor");
				assertThat(context.getBean(BulkheadRegistry.class).find("echo")).isPresent();
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			});
	}

	@Test
	void withoutResilience4jAtAllTheClientsWork() {
		new ApplicationContextRunner().withClassLoader(new FilteredClassLoader("io.github.resilience4j"))
			.withConfiguration(
					AutoConfigurations.of(GrpcClientsAutoConfiguration.class, GrpcClientsLimitsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].address=" + backend.address(),
					"grpc-clients.defaults.bulkhead.enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean("grpcBulkheadInterceptor")
					.doesNotHaveBean("grpcRateLimiterInterceptor");
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			});
	}

	@Test
	void createsItsOwnRegistriesWithoutResilience4jsAutoConfiguration() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(GrpcClientsAutoConfiguration.class, GrpcClientsLimitsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].address=" + backend.address(),
					"grpc-clients.defaults.bulkhead.enabled=true", "grpc-clients.defaults.rate-limiter.enabled=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(BulkheadRegistry.class).hasBean("grpcBulkheadRegistry");
				assertThat(context).hasSingleBean(RateLimiterRegistry.class).hasBean("grpcRateLimiterRegistry");
				assertThat(context.getBean(BulkheadRegistry.class).find("echo")).isPresent();
				assertThat(context.getBean(RateLimiterRegistry.class).find("echo")).isPresent();
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			});
	}

	@Test
	void usesResilience4jsRegistries() {
		runner("grpc-clients.defaults.bulkhead.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(BulkheadRegistry.class).doesNotHaveBean("grpcBulkheadRegistry");
			assertThat(context).hasSingleBean(RateLimiterRegistry.class).doesNotHaveBean("grpcRateLimiterRegistry");
		});
	}

	@Test
	void offWhenTheClientsAreOff() {
		runner("grpc-clients.enabled=false").run((context) -> assertThat(context).doesNotHaveBean(BulkheadInstances.class)
			.doesNotHaveBean(RateLimiterInstances.class)
			.doesNotHaveBean("grpcBulkheadInterceptor")
			.doesNotHaveBean(ManagedChannelRegistry.class));
	}

	private static BulkheadConfig bulkheadConfig(ApplicationContext context, String name) {
		return context.getBean(BulkheadRegistry.class).find(name).orElseThrow().getBulkheadConfig();
	}

	private static RateLimiterConfig rateLimiterConfig(ApplicationContext context, String name) {
		return context.getBean(RateLimiterRegistry.class).find(name).orElseThrow().getRateLimiterConfig();
	}

}
