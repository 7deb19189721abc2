package io.github.rpcclient.resilience;

import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
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

/**
 * Resilience4j's own actuator endpoints and metrics show the bulkhead and rate limiter of a gRPC
 * service, over real HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=bulkheads,ratelimiters,metrics,grpcclients",
				"grpc-clients.services[0].name=echo", "grpc-clients.services[0].bulkhead.enabled=true",
				"grpc-clients.services[0].bulkhead.max-concurrent-calls=7",
				"grpc-clients.services[0].rate-limiter.enabled=true",
				"grpc-clients.services[0].rate-limiter.limit-for-period=50" })
class LimitsActuatorTest {

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
	void bulkheadsEndpointAndMetricsShowTheServicesBulkhead() {
		this.clients.echo.echo(request("x"));
		String body = this.http.getForObject("/actuator/bulkheads", String.class);
		System.out.println("/actuator/bulkheads: " + body);
		assertThat(body).contains("\"echo\"");
		String metric = this.http.getForObject(
				"/actuator/metrics/resilience4j.bulkhead.max.allowed.concurrent.calls?tag=name:echo", String.class);
		System.out.println("/actuator/metrics/resilience4j.bulkhead.max.allowed.concurrent.calls: " + metric);
		assertThat(metric).contains("\"value\":7.0");
	}

	@Test
	void rateLimitersEndpointAndMetricsShowTheServicesRateLimiter() {
		this.clients.echo.echo(request("y"));
		String body = this.http.getForObject("/actuator/ratelimiters", String.class);
		System.out.println("/actuator/ratelimiters: " + body);
		assertThat(body).contains("\"echo\"");
		String metric = this.http.getForObject(
				"/actuator/metrics/resilience4j.ratelimiter.available.permissions?tag=name:echo", String.class);
		System.out.println("/actuator/metrics/resilience4j.ratelimiter.available.permissions: " + metric);
		assertThat(metric).contains("\"name\":\"resilience4j.ratelimiter.available.permissions\"");
	}

	@Test
	void grpcClientsEndpointSaysWhichLimitsAreOn() {
		String body = this.http.getForObject("/actuator/grpcclients/echo", String.class);
		System.out.println("/actuator/grpcclients/echo: " + body);
		assertThat(body).contains("\"bulkhead\":true").contains("\"rateLimiter\":true");
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
