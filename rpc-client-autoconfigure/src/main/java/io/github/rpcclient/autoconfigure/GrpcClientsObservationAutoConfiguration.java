package io.github.rpcclient.autoconfigure;

import java.util.Map;

import io.github.rpcclient.actuate.ClosingObservationInterceptor;
import io.github.rpcclient.actuate.MeteredClientInterceptor;
import io.github.rpcclient.actuate.ServiceNameObservationConvention;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.properties.ObservationProperties.ObservationMode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.grpc.GrpcClientObservationContext;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.GlobalObservationConvention;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationPredicate;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Measures every attempt of every call, tagged with the configured service name: timers
 * {@code grpc.client} (and {@code grpc.client.active}, counters {@code grpc.client.sent} and
 * {@code grpc.client.received}) and, with tracing, spans. Active when an
 * {@link ObservationRegistry} bean exists, as with Spring Boot Actuator.
 * <p>
 * When nothing but metrics would see an observation (mode {@code auto}, no tracer or other
 * observation handler, filter or gRPC convention), a {@link MeteredClientInterceptor} records the
 * same meters with meters resolved once per method and status; otherwise Micrometer's
 * {@link ObservationGrpcClientInterceptor} runs the full observation.
 */
@AutoConfiguration(after = ObservationAutoConfiguration.class, before = GrpcClientsAutoConfiguration.class)
@ConditionalOnClass({ ObservationGrpcClientInterceptor.class, ObservationRegistry.class })
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = { "grpc-clients.enabled", "grpc-clients.observation.enabled" },
		matchIfMissing = true)
@EnableConfigurationProperties(GrpcClientsProperties.class)
public class GrpcClientsObservationAutoConfiguration {

	private static final String NAME = "grpc.client";

	@Bean
	@ConditionalOnMissingBean(name = "grpcObservationInterceptor")
	ServiceInterceptorProvider grpcObservationInterceptor(ObservationRegistry observationRegistry,
			GrpcClientsProperties properties, ObjectProvider<MeterRegistry> meterRegistry,
			ObjectProvider<ObservationHandler<?>> handlers, ObjectProvider<ObservationFilter> filters,
			ObjectProvider<ObservationPredicate> predicates,
			ObjectProvider<GlobalObservationConvention<?>> conventions,
			ObjectProvider<ObservationProperties> bootObservation) {
		MeterRegistry meters = meterRegistry.getIfUnique();
		ObservationMode mode = properties.getObservation().getMode();
		if (mode == ObservationMode.OBSERVATION || meters == null || (mode == ObservationMode.AUTO
				&& othersWouldSeeObservations(handlers, filters, conventions))) {
			return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.OBSERVATION_ORDER, (service) -> {
				ObservationGrpcClientInterceptor interceptor = new ObservationGrpcClientInterceptor(observationRegistry);
				interceptor.setCustomConvention(new ServiceNameObservationConvention(service.name()));
				return new ClosingObservationInterceptor(interceptor);
			});
		}
		if (!predicates.orderedStream().allMatch((predicate) -> predicate.test(NAME, emptyContext()))) {
			// switched off, e.g. by management.observations.enable.grpc.client=false
			return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.OBSERVATION_ORDER,
					(service) -> null);
		}
		ObservationProperties boot = bootObservation.getIfAvailable();
		Tags commonTags = (boot != null) ? tags(boot.getKeyValues()) : Tags.empty();
		boolean longTaskTimer = boot == null || boot.getLongTaskTimer().isEnabled();
		return ServiceInterceptorProvider.perService(ServiceInterceptorProvider.OBSERVATION_ORDER,
				(service) -> new MeteredClientInterceptor(meters,
						commonTags.and(ServiceNameObservationConvention.KEY, service.name()), longTaskTimer));
	}

	/**
	 * Whether anything but Micrometer's meter handler would see a gRPC client observation: a
	 * tracing or other handler, a filter other than Spring Boot's common key values, or a global
	 * convention for gRPC client observations.
	 */
	private static boolean othersWouldSeeObservations(ObjectProvider<ObservationHandler<?>> handlers,
			ObjectProvider<ObservationFilter> filters, ObjectProvider<GlobalObservationConvention<?>> conventions) {
		GrpcClientObservationContext context = emptyContext();
		return handlers.orderedStream().anyMatch((handler) -> !(handler instanceof MeterObservationHandler))
				|| filters.orderedStream().anyMatch((filter) -> !isBootKeyValues(filter))
				|| conventions.orderedStream().anyMatch((convention) -> convention.supportsContext(context));
	}

	private static boolean isBootKeyValues(ObservationFilter filter) {
		return filter.getClass().getName()
			.equals("org.springframework.boot.actuate.autoconfigure.observation.PropertiesObservationFilterPredicate");
	}

	private static GrpcClientObservationContext emptyContext() {
		return new GrpcClientObservationContext((carrier, key, value) -> {
		});
	}

	private static Tags tags(Map<String, String> keyValues) {
		Tags tags = Tags.empty();
		for (Map.Entry<String, String> keyValue : keyValues.entrySet()) {
			tags = tags.and(keyValue.getKey(), keyValue.getValue());
		}
		return tags;
	}

}
