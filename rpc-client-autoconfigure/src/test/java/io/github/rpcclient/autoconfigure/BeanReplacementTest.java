package io.github.rpcclient.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.rpcclient.actuate.ChannelMeters;
import io.github.rpcclient.actuate.CircuitBreakerAccess;
import io.github.rpcclient.actuate.GrpcClientsEndpoint;
import io.github.rpcclient.actuate.PodAccess;
import io.github.rpcclient.actuate.RouteMeters;
import io.github.rpcclient.channel.CallChainAssembler;
import io.github.rpcclient.channel.ChannelCredentialsFactory;
import io.github.rpcclient.channel.ChannelTransport;
import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.channel.ServiceTransports;
import io.github.rpcclient.channel.ShadedNettyChannelTransport;
import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.properties.ServicePropertiesBinder;
import io.github.rpcclient.resilience.BulkheadInstances;
import io.github.rpcclient.resilience.CircuitBreakerInstances;
import io.github.rpcclient.resilience.RateLimiterInstances;
import io.github.rpcclient.resilience.RetryInstances;
import io.github.rpcclient.resilience.RetryScheduler;
import io.github.rpcclient.discovery.DiscoveredPods;
import io.github.rpcclient.discovery.DiscoveryNameResolverProvider;
import io.github.rpcclient.route.PodHeartbeatPublisher;
import io.github.rpcclient.route.PodLifecycleListener;
import io.github.rpcclient.route.PodLoad;
import io.github.rpcclient.route.LinkChangeSubscriber;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.RouteStore;
import io.github.rpcclient.route.StatefulRouteDriver;
import io.github.rpcclient.route.StatefulTransportProvider;
import io.github.rpcclient.settings.DiscoverySettings;
import io.github.rpcclient.settings.RoutingSettings;
import io.github.rpcclient.settings.RoutingSettingsFactory;
import io.github.rpcclient.settings.ServiceSettingsFactory;
import io.github.rpcclient.stub.GeneratedStubFactory;
import io.github.rpcclient.stub.GrpcClientBeanPostProcessor;
import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.core.type.MethodMetadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every bean of the auto-configurations backs off when the application defines its own: a bean of
 * the same type for the parts there is one of, a bean of the same name for the parts there are
 * many of (the places of the call chain, pod listeners, the health indicator). The table must list
 * every bean the auto-configurations define, so that a new bean cannot go without its condition.
 */
class BeanReplacementTest {

	private static final String[] PUBLISH = { "grpc-clients.routing.publish.enabled=true",
			"grpc-clients.routing.publish.service=session", "grpc-clients.routing.publish.index=1",
			"grpc-clients.routing.publish.address=127.0.0.1:1" };

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();

	/**
	 * Every auto-configuration of the library, with what each needs to be active: a Redis
	 * connection factory (never contacted), an observation registry, a meter registry, the
	 * endpoint exposed.
	 */
	private static final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
				GrpcClientsObservationAutoConfiguration.class, GrpcClientsResilienceAutoConfiguration.class,
				GrpcClientsLimitsAutoConfiguration.class, GrpcClientsRoutingAutoConfiguration.class,
				GrpcClientsActuatorAutoConfiguration.class, UtilAutoConfiguration.class,
				SimpleDiscoveryClientAutoConfiguration.class, CompositeDiscoveryClientAutoConfiguration.class,
				GrpcClientsDiscoveryAutoConfiguration.class, GrpcClientsMetricsAutoConfiguration.class,
				GrpcClientsMeterBindersAutoConfiguration.class))
		.withBean(ObservationRegistry.class, ObservationRegistry::create)
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("spring.data.redis.port=1", "management.endpoints.web.exposure.include=grpcclients");

	static Stream<Replacement> replacements() {
		return Stream.of(
				// GrpcClientsAutoConfiguration
				byType("grpcServicePropertiesBinder", ServicePropertiesBinder.class,
						() -> new ServicePropertiesBinder(new Binder())),
				byType("grpcServiceSettingsFactory", ServiceSettingsFactory.class, false),
				byType("grpcChannelCredentialsFactory", ChannelCredentialsFactory.class),
				byType("grpcShadedNettyChannelTransport", ChannelTransport.class, ShadedNettyChannelTransport::new),
				byType("grpcChannelFactory", GrpcChannelFactory.class),
				byType("grpcServiceTransports", ServiceTransports.class),
				byType("grpcCallChainAssembler", CallChainAssembler.class),
				byType("grpcChannelRegistry", ManagedChannelRegistry.class),
				byType("grpcGeneratedStubFactory", GeneratedStubFactory.class),
				byType("grpcClientFactory", GrpcClientFactory.class),
				byType("grpcClientsBeanPostProcessor", GrpcClientBeanPostProcessor.class),
				chainPlace("grpcRequestIdInterceptor", ServiceInterceptorProvider.REQUEST_ID_ORDER),
				chainPlace("grpcLoggingInterceptor", ServiceInterceptorProvider.LOGGING_ORDER),
				chainPlace("grpcFailureHintInterceptor", ServiceInterceptorProvider.FAILURE_HINT_ORDER),
				chainPlace("grpcDeadlineInterceptor", ServiceInterceptorProvider.DEADLINE_ORDER),
				chainPlace("grpcCompressionInterceptor", ServiceInterceptorProvider.DEADLINE_ORDER),
				// GrpcClientsResilienceAutoConfiguration
				byType("grpcRetryRegistry", RetryRegistry.class, RetryRegistry::ofDefaults),
				byType("grpcCircuitBreakerRegistry", CircuitBreakerRegistry.class, CircuitBreakerRegistry::ofDefaults),
				byType("grpcRetryScheduler", RetryScheduler.class),
				byType("grpcRetryInstances", RetryInstances.class),
				byType("grpcCircuitBreakerInstances", CircuitBreakerInstances.class),
				chainPlace("grpcFallbackInterceptor", ServiceInterceptorProvider.FALLBACK_ORDER),
				chainPlace("grpcRetryInterceptor", ServiceInterceptorProvider.RETRY_ORDER),
				chainPlace("grpcCircuitBreakerInterceptor", ServiceInterceptorProvider.CIRCUIT_BREAKER_ORDER),
				byName("grpcPodBreakerRemover", PodLifecycleListener.class, () -> (service, pod) -> {
				}),
				// GrpcClientsLimitsAutoConfiguration
				byType("grpcBulkheadRegistry", BulkheadRegistry.class, BulkheadRegistry::ofDefaults),
				byType("grpcBulkheadInstances", BulkheadInstances.class),
				chainPlace("grpcBulkheadInterceptor", ServiceInterceptorProvider.BULKHEAD_ORDER),
				byType("grpcRateLimiterRegistry", RateLimiterRegistry.class, RateLimiterRegistry::ofDefaults),
				byType("grpcRateLimiterInstances", RateLimiterInstances.class),
				chainPlace("grpcRateLimiterInterceptor", ServiceInterceptorProvider.RATE_LIMITER_ORDER),
				// GrpcClientsRoutingAutoConfiguration
				byType("grpcRoutingSettings", RoutingSettings.class,
						() -> RoutingSettingsFactory.resolve(new RoutingProperties())),
				byType("grpcRouteStore", RouteStore.class, Duration.ofSeconds(1)),
				byType("grpcPodRegistry", PodRegistry.class, (Supplier<List<PodLifecycleListener>>) List::of),
				byType("grpcStatefulRouteDriver", StatefulRouteDriver.class),
				byType("grpcLinkChangeSubscriber", LinkChangeSubscriber.class, Duration.ofSeconds(1)),
				byType("grpcStatefulTransportProvider", StatefulTransportProvider.class, "default"),
				chainPlace("grpcStatefulRouteInterceptor", ServiceInterceptorProvider.ROUTE_ORDER),
				byType("grpcPodHeartbeatPublisher", PodHeartbeatPublisher.class, (PodLoad) () -> 0).with(PUBLISH),
				// GrpcClientsObservationAutoConfiguration
				chainPlace("grpcObservationInterceptor", ServiceInterceptorProvider.OBSERVATION_ORDER),
				// GrpcClientsDiscoveryAutoConfiguration
				byType("grpcDiscoverySettings", DiscoverySettings.class, Duration.ofSeconds(30)),
				byType("grpcDiscoveryNameResolverProvider", DiscoveryNameResolverProvider.class, Duration.ofSeconds(30)),
				byName("grpcDiscoveryHeartbeatListener", ApplicationListener.class,
						() -> (ApplicationListener<HeartbeatEvent>) (event) -> {
						}),
				chainPlace("grpcDiscoveryRefreshInterceptor", ServiceInterceptorProvider.DISCOVERY_REFRESH_ORDER),
				byType("grpcDiscoveredPods", DiscoveredPods.class, Duration.ofSeconds(30)),
				// GrpcClientsActuatorAutoConfiguration
				byType("grpcClientsEndpoint", GrpcClientsEndpoint.class),
				byName("grpcClientsHealthIndicator", HealthIndicator.class, () -> () -> Health.up().build()),
				byName("grpcClientsSanitizingFunction", SanitizingFunction.class,
						() -> SanitizingFunction.sanitizeValue().ifLikelyCredential()),
				byType("grpcCircuitBreakerAccess", CircuitBreakerAccess.class, () -> CircuitBreakerAccess.NONE),
				byType("grpcPodAccess", PodAccess.class, () -> PodAccess.NONE),
				// GrpcClientsMetricsAutoConfiguration
				chainPlace("grpcCallMetricsInterceptor", ServiceInterceptorProvider.CALL_METRICS_ORDER),
				// GrpcClientsMeterBindersAutoConfiguration
				byType("grpcChannelMeters", ChannelMeters.class),
				byType("grpcRouteMeters", RouteMeters.class));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("replacements")
	void aBeanOfTheApplicationReplacesOurs(Replacement replacement) {
		runner.withPropertyValues(replacement.properties).run((context) -> {
			assertThat(context).hasNotFailed().hasBean(replacement.ours);
			assertThat(context.getBean(replacement.ours)).as("our %s", replacement.ours).isInstanceOf(replacement.type);
		});
		replacement.register(runner.withPropertyValues(replacement.properties)).run((context) -> {
			assertThat(context).hasNotFailed();
			replacement.assertReplaced(context);
		});
	}

	@Test
	void theTableListsEveryBeanOfTheAutoConfigurations() {
		runner.withPropertyValues(PUBLISH).run((context) -> {
			assertThat(context).hasNotFailed();
			Set<String> ours = new TreeSet<>();
			ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
			for (String name : beanFactory.getBeanDefinitionNames()) {
				BeanDefinition definition = beanFactory.getBeanDefinition(name);
				MethodMetadata factoryMethod = (definition instanceof AnnotatedBeanDefinition annotated)
						? annotated.getFactoryMethodMetadata() : null;
				if (factoryMethod != null
						&& factoryMethod.getDeclaringClassName().startsWith(GrpcClientsAutoConfiguration.class.getPackageName())) {
					ours.add(name);
				}
			}
			assertThat(replacements().map((replacement) -> replacement.ours))
				.containsExactlyInAnyOrderElementsOf(ours);
		});
	}

	@Test
	void aChainPlaceOfTheSameNameThatGivesNoInterceptorSwitchesThatPartOff() {
		backend.service().failNext("Echo", 1, Status.UNAVAILABLE);
		backend.runner("grpc-clients.services[0].retry.backoff=1ms")
			.withConfiguration(AutoConfigurations.of(GrpcClientsResilienceAutoConfiguration.class))
			.withBean("grpcRetryInterceptor", ServiceInterceptorProvider.class,
					() -> ServiceInterceptorProvider.perService(ServiceInterceptorProvider.RETRY_ORDER, (service) -> null))
			.run((context) -> {
				int before = backend.service().attempts("Echo");
				EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc
					.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
				assertThatExceptionOfType(StatusRuntimeException.class)
					.isThrownBy(() -> stub.echo(EchoRequest.newBuilder().setMessage("x").build()))
					.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
				assertThat(backend.service().attempts("Echo") - before).as("attempts without retry").isEqualTo(1);
			});
	}

	private static Replacement byType(String ours, Class<?> type, Object... constructorArgs) {
		return new Replacement(ours, type, false, null, constructorArgs, new String[0]);
	}

	private static <T> Replacement byType(String ours, Class<T> type, Supplier<? extends T> instance) {
		return new Replacement(ours, type, false, instance, new Object[0], new String[0]);
	}

	private static <T> Replacement byName(String ours, Class<T> type, Supplier<? extends T> instance) {
		return new Replacement(ours, type, true, instance, new Object[0], new String[0]);
	}

	private static Replacement chainPlace(String ours, int order) {
		return byName(ours, ServiceInterceptorProvider.class,
				() -> ServiceInterceptorProvider.perService(order, (service) -> null));
	}

	/**
	 * One bean of ours and how the application replaces it: with a bean of its own type under
	 * another name ({@code byName == false}), or with a bean of the same name.
	 */
	record Replacement(String ours, Class<?> type, boolean byName, Supplier<?> instance, Object[] constructorArgs,
			String[] properties) {

		Replacement with(String... properties) {
			return new Replacement(this.ours, this.type, this.byName, this.instance, this.constructorArgs, properties);
		}

		String userBeanName() {
			return this.byName ? this.ours : "application" + Character.toUpperCase(this.ours.charAt(0))
					+ this.ours.substring(1);
		}

		@SuppressWarnings({ "unchecked", "rawtypes" })
		ApplicationContextRunner register(ApplicationContextRunner runner) {
			if (this.instance == null) {
				return runner.withBean(userBeanName(), (Class) this.type, this.constructorArgs);
			}
			Supplier<Object> supplier = () -> {
				Object bean = this.instance.get();
				Marked.BEANS.add(bean);
				return bean;
			};
			return runner.withBean(userBeanName(), (Class) this.type, (Supplier) supplier);
		}

		void assertReplaced(AssertableApplicationContext context) {
			if (this.byName) {
				assertThat(Marked.BEANS).as("beans made by the application").contains(context.getBean(this.ours));
			}
			else {
				assertThat(context.getBeanNamesForType(this.type)).as("beans of type %s", this.type.getSimpleName())
					.containsExactly(userBeanName());
			}
		}

		@Override
		public String toString() {
			return this.ours + (this.byName ? " (by name)" : " (by type " + this.type.getSimpleName() + ")");
		}

	}

	/** The beans the application's suppliers made, to tell them from ours. */
	private static final class Marked {

		static final Set<Object> BEANS = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

	}

}
