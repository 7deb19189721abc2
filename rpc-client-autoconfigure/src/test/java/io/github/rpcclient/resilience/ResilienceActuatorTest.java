package io.github.rpcclient.resilience;

import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Resilience4j's own actuator endpoints and metrics show the gRPC services' instances, over real
 * HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=circuitbreakers,circuitbreakerevents,retries,metrics",
				"grpc-clients.services[0].name=echo", "grpc-clients.services[0].retry.backoff=1ms" })
class ResilienceActuatorTest {

	private static final TestBackend backend = TestBackend.start();

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private Clients clients;

	@DynamicPropertySource
	static void backendAddress(DynamicPropertyRegistry registry) {
		registry.add("grpc-clients.services[0].address", backend::address);
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@Test
	void circuitBreakersEndpointListsTheServicesBreaker() {
		this.clients.echo.echo(request("x"));
		String body = this.http.getForObject("/actuator/circuitbreakers", String.class);
		System.out.println("/actuator/circuitbreakers: " + body);
		assertThat(body).contains("\"echo\"").contains("\"state\":\"CLOSED\"");
	}

	/**
	 * Successful calls are counted but not pushed through the event buffer (a ring of 100 behind
	 * a lock), so the buffer keeps what an operator needs: errors and state transitions.
	 */
	@Test
	void circuitBreakerEventsShowErrorsNotSuccesses() {
		backend.service().failNext("Echo", 1, Status.INTERNAL);
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> this.clients.echo.echo(request("e")));
		for (int i = 0; i < 200; i++) {
			this.clients.echo.echo(request("ok"));
		}
		String events = this.http.getForObject("/actuator/circuitbreakerevents/echo", String.class);
		System.out.println("/actuator/circuitbreakerevents/echo: " + events);
		assertThat(events).contains("\"type\":\"ERROR\"").doesNotContain("\"type\":\"SUCCESS\"");
		String successful = this.http.getForObject(
				"/actuator/metrics/resilience4j.circuitbreaker.calls?tag=name:echo&tag=kind:successful", String.class);
		System.out.println("/actuator/metrics/resilience4j.circuitbreaker.calls: " + successful);
		assertThat(successful).containsPattern("\"statistic\":\"COUNT\",\"value\":(2\\d\\d)\\.0");
	}

	@Test
	void retriesEndpointAndMetricsShowTheServicesRetry() {
		backend.service().failNext("Slow", 1, Status.UNAVAILABLE);
		this.clients.echo.slow(request("y"));
		backend.service().failNext("Slow", 1, Status.INVALID_ARGUMENT);
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> this.clients.echo.slow(request("z")));
		String retries = this.http.getForObject("/actuator/retries", String.class);
		System.out.println("/actuator/retries: " + retries);
		assertThat(retries).contains("\"echo\"");
		String metric = this.http.getForObject(
				"/actuator/metrics/resilience4j.retry.calls?tag=name:echo&tag=kind:successful_with_retry", String.class);
		System.out.println("/actuator/metrics/resilience4j.retry.calls: " + metric);
		assertThat(metric).contains("\"value\":1.0");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		Clients clients() {
			return new Clients();
		}

	}

	static class Clients {

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceBlockingStub echo;

	}

}
