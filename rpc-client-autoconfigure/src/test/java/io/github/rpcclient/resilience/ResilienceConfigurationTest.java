package io.github.rpcclient.resilience;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsResilienceAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.settings.RetrySettings;
import io.github.rpcclient.settings.ServiceSettingsFactory;
import io.github.rpcclient.test.EchoBackendExtension;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.rpcclient.resilience.ResilienceTestSupport.ECHO;
import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static io.github.rpcclient.resilience.ResilienceTestSupport.runner;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@code grpc-clients.*} and {@code resilience4j.*} settings make the Resilience4j instances,
 * and the conditions of the auto-configuration.
 */
class ResilienceConfigurationTest {

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();


	@Test
	void grpcClientsSettingsMakeTheInstancesInResilience4jsRegistries() {
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.max-attempts=4",
					"grpc-clients.services[0].circuit-breaker.sliding-window-size=7",
					"grpc-clients.services[0].circuit-breaker.failure-rate-threshold=30")
			.run((context) -> {
				assertThat(context).hasSingleBean(RetryRegistry.class).hasSingleBean(CircuitBreakerRegistry.class);
				assertThat(context).doesNotHaveBean("grpcRetryRegistry");
				assertThat(retryConfig(context, "echo").getMaxAttempts()).isEqualTo(4);
				CircuitBreakerConfig breaker = breakerConfig(context, "echo");
				assertThat(breaker.getSlidingWindowSize()).isEqualTo(7);
				assertThat(breaker.getFailureRateThreshold()).isEqualTo(30);
			});
	}

	@Test
	void defaultsApplyToEveryService() {
		runner(this.backend)
			.withPropertyValues("grpc-clients.defaults.retry.max-attempts=6",
					"grpc-clients.defaults.circuit-breaker.minimum-number-of-calls=3")
			.run((context) -> {
				assertThat(retryConfig(context, "echo").getMaxAttempts()).isEqualTo(6);
				assertThat(breakerConfig(context, "echo").getMinimumNumberOfCalls()).isEqualTo(3);
			});
	}

	@Test
	void resilience4jInstanceSettingsWinKeyByKey() {
		this.backend.service().failNext("Echo", 3, Status.UNAVAILABLE);
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.max-attempts=2",
					"grpc-clients.services[0].retry.backoff=40ms", "grpc-clients.services[0].retry.jitter=0",
					"grpc-clients.services[0].circuit-breaker.failure-rate-threshold=30",
					"grpc-clients.services[0].circuit-breaker.sliding-window-size=7",
					"resilience4j.retry.instances.echo.max-attempts=4",
					"resilience4j.circuitbreaker.instances.echo.sliding-window-size=9")
			.run((context) -> {
				RetryConfig retry = retryConfig(context, "echo");
				assertThat(retry.getMaxAttempts()).as("from resilience4j.*").isEqualTo(4);
				assertThat(retry.getIntervalBiFunction().apply(1, null)).as("from grpc-clients.*").isEqualTo(40L);
				CircuitBreakerConfig breaker = breakerConfig(context, "echo");
				assertThat(breaker.getSlidingWindowSize()).as("from resilience4j.*").isEqualTo(9);
				assertThat(breaker.getFailureRateThreshold()).as("from grpc-clients.*").isEqualTo(30);

				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(4);
			});
	}

	@Test
	void resilience4jBackoffKeysMapOntoTheBackoff() {
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.jitter=0",
					"resilience4j.retry.instances.echo.wait-duration=10ms",
					"resilience4j.retry.instances.echo.enable-exponential-backoff=true",
					"resilience4j.retry.instances.echo.exponential-backoff-multiplier=3",
					"resilience4j.retry.instances.echo.exponential-max-wait-duration=50ms")
			.run((context) -> {
				RetryConfig retry = retryConfig(context, "echo");
				assertThat(retry.getIntervalBiFunction().apply(1, null)).isEqualTo(10L);
				assertThat(retry.getIntervalBiFunction().apply(2, null)).isEqualTo(30L);
				assertThat(retry.getIntervalBiFunction().apply(3, null)).isEqualTo(50L);
			});
	}

	@Test
	void methodOverridesHaveTheirOwnInstance() {
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.max-attempts=2",
					"grpc-clients.services[0].methods[0].name=" + ECHO,
					"grpc-clients.services[0].methods[0].retry.max-attempts=5",
					"grpc-clients.services[0].methods[1].name=rpcclient.test.EchoService/Slow",
					"grpc-clients.services[0].methods[1].retry.backoff=20ms",
					"resilience4j.retry.instances[echo/rpcclient.test.EchoService/Slow].max-attempts=7")
			.run((context) -> {
				assertThat(retryConfig(context, "echo").getMaxAttempts()).isEqualTo(2);
				assertThat(retryConfig(context, "echo/" + ECHO).getMaxAttempts()).isEqualTo(5);
				assertThat(retryConfig(context, "echo/rpcclient.test.EchoService/Slow").getMaxAttempts()).isEqualTo(7);
				this.backend.service().failNext("Echo", 4, Status.UNAVAILABLE);
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(5);
			});
	}

	@Test
	void switchedOffRetryAndBreakerMakeNoInstances() {
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.enabled=false",
					"grpc-clients.services[0].circuit-breaker.enabled=false")
			.run((context) -> {
				assertThat(context.getBean(RetryRegistry.class).find("echo")).isEmpty();
				assertThat(context.getBean(CircuitBreakerRegistry.class).find("echo")).isEmpty();
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			});
	}

	@Test
	void createsItsOwnRegistriesWithoutResilience4jsAutoConfiguration() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class,
					GrpcClientsResilienceAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].address=" + this.backend.address())
			.run((context) -> {
				assertThat(context).hasSingleBean(RetryRegistry.class).hasBean("grpcRetryRegistry");
				assertThat(context).hasSingleBean(CircuitBreakerRegistry.class).hasBean("grpcCircuitBreakerRegistry");
				assertThat(context.getBean(RetryRegistry.class).find("echo")).isPresent();
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			});
	}

	@Test
	void startsAndCallsWithoutResilience4jOnTheClasspath() {
		new ApplicationContextRunner()
			.withClassLoader(new FilteredClassLoader("io.github.resilience4j"))
			.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class,
					GrpcClientsResilienceAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].address=" + this.backend.address())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(RetryInstances.class).doesNotHaveBean(CircuitBreakerInstances.class);
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
				assertThat(context.getBean(ManagedChannelRegistry.class).getServiceNames()).containsExactly("echo");
			});
	}

	@Test
	void offWhenTheClientsAreOff() {
		runner(this.backend).withPropertyValues("grpc-clients.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RetryInstances.class).doesNotHaveBean(RetryScheduler.class);
		});
	}

	@Test
	void invalidBudgetFailsStartup() {
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.budget.ratio=-0.1",
					"grpc-clients.services[0].retry.budget.window=500ms",
					"grpc-clients.services[0].retry.budget.min-retries-per-second=-1",
					"grpc-clients.services[0].circuit-breaker.slow-call-rate-threshold=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("grpc-clients.services[0].retry.budget.ratio")
				.hasMessageContaining("grpc-clients.services[0].retry.budget.window")
				.hasMessageContaining("grpc-clients.services[0].retry.budget.min-retries-per-second")
				.hasMessageContaining("circuit-breaker.slow-call-rate-threshold"));
	}

	@Test
	void tooLongABudgetWindowOrTooLargeARatioFailsStartup() {
		runner(this.backend)
			.withPropertyValues("grpc-clients.defaults.retry.budget.ratio=1001",
					"grpc-clients.defaults.retry.budget.window=61s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("grpc-clients.defaults.retry.budget.ratio")
				.hasMessageContaining("grpc-clients.defaults.retry.budget.window"));
	}

	@Test
	void theBudgetBindsAndResolvesItsKeys() {
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.budget.ratio=0.5",
					"grpc-clients.services[0].retry.budget.window=30s",
					"grpc-clients.services[0].retry.budget.min-retries-per-second=0")
			.run((context) -> assertThat(context.getBean(ServiceSettingsFactory.class)
				.configuredServices(context.getBean(GrpcClientsProperties.class))
				.get(0)
				.retry()
				.budget()).isEqualTo(new RetrySettings.Budget(true, 0.5, Duration.ofSeconds(30), 0)));
	}

	private static RetryConfig retryConfig(org.springframework.context.ApplicationContext context, String name) {
		return context.getBean(RetryRegistry.class).find(name).orElseThrow().getRetryConfig();
	}

	private static CircuitBreakerConfig breakerConfig(org.springframework.context.ApplicationContext context,
			String name) {
		return context.getBean(CircuitBreakerRegistry.class).find(name).orElseThrow().getCircuitBreakerConfig();
	}

}
