package io.github.rpcclient.actuate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot3.retry.autoconfigure.RetryAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsObservationAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsResilienceAutoConfiguration;
import io.github.rpcclient.stub.GrpcClientFactory;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;

/**
 * The meters of calls, recorded by meters resolved once ({@code metrics}, the default without
 * tracing) and by Micrometer's full observation ({@code observation}): the same names, tags and
 * counts, so switching between them changes no dashboard.
 */
class CallMetricsTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, ObservationAutoConfiguration.class,
				RetryAutoConfiguration.class, CircuitBreakerAutoConfiguration.class,
				GrpcClientsObservationAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
				GrpcClientsResilienceAutoConfiguration.class))
		.withPropertyValues("grpc-clients.services[0].name=echo",
				"grpc-clients.services[0].address=" + backend.address(), "grpc-clients.services[1].name=gone",
				"grpc-clients.services[1].address=127.0.0.1:" + freePort(),
				"grpc-clients.services[1].retry.enabled=false");

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Test
	void metricsAndObservationRecordTheSameMeters() {
		Map<String, String> observed = new TreeMap<>();
		Map<String, String> metered = new TreeMap<>();
		this.runner.withPropertyValues("grpc-clients.observation.mode=observation")
			.run((context) -> observed.putAll(meters(callAll(context))));
		this.runner.withPropertyValues("grpc-clients.observation.mode=metrics")
			.run((context) -> metered.putAll(meters(callAll(context))));
		assertThat(observed).containsKey(
				"TIMER grpc.client [error=none, grpc.client.name=echo, grpc.status_code=OK, net.peer.name=127.0.0.1, "
						+ "net.peer.port=" + backend.address().split(":")[1]
						+ ", rpc.method=Echo, rpc.service=rpcclient.test.EchoService, rpc.type=UNARY]");
		assertThat(observed.keySet()).as("a timer of a status with a cause").anyMatch((id) -> id.contains("error=") && !id.contains("error=none"));
		assertThat(metered).isEqualTo(observed);
	}

	@Test
	void autoMeasuresWithMetersWhenNothingElseWouldSeeTheObservation() {
		this.runner.run((context) -> {
			AtomicInteger seen = watchObservations(context);
			callAll(context);
			assertThat(seen).as("observations seen by a handler added to the registry").hasValue(0);
			assertThat(context.getBean(MeterRegistry.class).find("grpc.client").timers()).isNotEmpty();
		});
	}

	@Test
	void autoObservesWhenAnotherHandlerIsRegistered() {
		AtomicInteger seenByBean = new AtomicInteger();
		this.runner.withBean("tracingLike", ObservationHandler.class, () -> counting(seenByBean)).run((context) -> {
			callAll(context);
			assertThat(seenByBean).as("observations seen by the handler bean").hasPositiveValue();
			assertThat(context.getBean(MeterRegistry.class).find("grpc.client").timers()).isNotEmpty();
		});
	}

	@Test
	void springBootsObservationPropertiesApply() {
		this.runner.withPropertyValues("management.observations.key-values.region=eu").run((context) -> {
			callAll(context);
			assertThat(context.getBean(MeterRegistry.class).find("grpc.client").tag("region", "eu").timers())
				.isNotEmpty();
		});
		this.runner.withPropertyValues("management.observations.enable.grpc.client=false").run((context) -> {
			callAll(context);
			assertThat(context.getBean(MeterRegistry.class).find("grpc.client").meters()).isEmpty();
		});
		this.runner.withPropertyValues("management.observations.long-task-timer.enabled=false").run((context) -> {
			callAll(context);
			assertThat(context.getBean(MeterRegistry.class).find("grpc.client.active").meters()).isEmpty();
			assertThat(context.getBean(MeterRegistry.class).find("grpc.client").timers()).isNotEmpty();
		});
	}

	/**
	 * Micrometer's gRPC listener stops the observation before it passes the status on, and does
	 * not catch what a handler throws there: the caller must still get its status.
	 */
	@Test
	void aHandlerThatThrowsWhenAnObservationStopsLeavesNoCallOpen() {
		this.runner.withBean("throwingOnStop", ObservationHandler.class, () -> throwingOnStop()).run((context) -> {
			EchoServiceGrpc.EchoServiceFutureStub stub = context.getBean(GrpcClientFactory.class)
				.stub("echo", EchoServiceGrpc.EchoServiceFutureStub.class);
			EchoRequest request = EchoRequest.newBuilder().setMessage("x").build();
			assertThat(stub.echo(request)).succeedsWithin(Duration.ofSeconds(10))
				.extracting(EchoResponse::getMessage)
				.isEqualTo("x");
			backend.service().failNext("Echo", 1, Status.INVALID_ARGUMENT);
			assertThat(stub.echo(request)).failsWithin(Duration.ofSeconds(10))
				.withThrowableOfType(ExecutionException.class)
				.satisfies((ex) -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
		});
	}

	private static ObservationHandler<Observation.Context> throwingOnStop() {
		return new ObservationHandler<>() {

			@Override
			public void onStop(Observation.Context context) {
				if (context.getName().equals("grpc.client")) {
					throw new IllegalStateException("handler bug");
				}
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		};
	}

	private static AtomicInteger watchObservations(ApplicationContext context) {
		AtomicInteger seen = new AtomicInteger();
		context.getBean(ObservationRegistry.class).observationConfig().observationHandler(counting(seen));
		return seen;
	}

	private static ObservationHandler<Observation.Context> counting(AtomicInteger seen) {
		return new ObservationHandler<>() {

			@Override
			public void onStart(Observation.Context context) {
				if (context.getName().equals("grpc.client")) {
					seen.incrementAndGet();
				}
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		};
	}

	/** Calls that succeed, fail with a status, fail with a cause, and stream. */
	private static ApplicationContext callAll(ApplicationContext context) {
		GrpcClientFactory clients = context.getBean(GrpcClientFactory.class);
		EchoServiceGrpc.EchoServiceBlockingStub stub = clients.stub("echo", EchoServiceGrpc.EchoServiceBlockingStub.class);
		EchoRequest request = EchoRequest.newBuilder().setMessage("x").build();
		stub.echo(request);
		stub.echo(request);
		backend.service().failNext("Echo", 1, Status.INVALID_ARGUMENT);
		assertThatRuntimeException().isThrownBy(() -> stub.echo(request));
		Iterator<?> responses = stub.serverStream(request);
		while (responses.hasNext()) {
			responses.next();
		}
		EchoServiceGrpc.EchoServiceBlockingStub gone = clients.stub("gone", EchoServiceGrpc.EchoServiceBlockingStub.class);
		assertThatRuntimeException().isThrownBy(() -> gone.echo(request));
		return context;
	}

	/** The gRPC meters by id, with their counts (durations differ from run to run). */
	private static Map<String, String> meters(ApplicationContext context) {
		Map<String, String> meters = new TreeMap<>();
		for (Meter meter : context.getBean(MeterRegistry.class).getMeters()) {
			if (meter.getId().getName().startsWith("grpc.client")) {
				List<String> tags = new ArrayList<>();
				meter.getId().getTags().forEach((tag) -> tags.add(tag.getKey() + "=" + tag.getValue()));
				List<String> counts = new ArrayList<>();
				meter.measure().forEach((measurement) -> {
					if (measurement.getStatistic() == Statistic.COUNT || measurement.getStatistic() == Statistic.ACTIVE_TASKS) {
						counts.add(measurement.getStatistic() + "=" + measurement.getValue());
					}
				});
				meters.put(meter.getId().getType() + " " + meter.getId().getName() + " " + tags, counts.toString());
			}
		}
		return meters;
	}

}
