package io.github.rpcclient.actuate;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@code grpcClients} health over real HTTP, wired into the readiness group as the README
 * says: a service that is not required leaves the application UP when its backend stops (its
 * state in the details); a {@code connect: required} one turns it OUT_OF_SERVICE, readiness
 * with it, liveness never. (The indicator before, which went DOWN on any service in
 * TRANSIENT_FAILURE, fails this test: DOWN where UP is expected once the optional backend stops.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoint.health.show-details=always", "management.health.redis.enabled=false",
				"management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState,grpcClients",
				"management.endpoint.health.group.readiness.show-details=always" })
class GrpcClientsHealthTest {

	private static final TestBackend optionalBackend = TestBackend.start();

	private static final TestBackend requiredBackend = TestBackend.start();

	private static final ObjectMapper json = new ObjectMapper();

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private Clients clients;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		registry.add("grpc-clients.services[0].name", () -> "optional");
		registry.add("grpc-clients.services[0].address", optionalBackend::address);
		registry.add("grpc-clients.services[0].connect", () -> "eager");
		registry.add("grpc-clients.services[0].retry.enabled", () -> "false");
		registry.add("grpc-clients.services[1].name", () -> "required");
		registry.add("grpc-clients.services[1].address", requiredBackend::address);
		registry.add("grpc-clients.services[1].connect", () -> "required");
		registry.add("grpc-clients.services[1].retry.enabled", () -> "false");
	}

	@AfterAll
	static void stop() {
		optionalBackend.close();
		requiredBackend.close();
	}

	@Test
	void onlyRequiredServicesChangeTheStatusAndNeverLiveness() throws Exception {
		assertThat(health("/actuator/health").get("status").asText()).isEqualTo("UP");

		optionalBackend.stop();
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> this.clients.optional.echo(request()));
		// A call that failed on the closing connection leaves the channel IDLE: only a call makes it
		// try to connect again, and fail.
		await("optional service in TRANSIENT_FAILURE").atMost(Duration.ofSeconds(10)).until(() -> {
			try {
				this.clients.optional.echo(request());
			}
			catch (StatusRuntimeException ex) {
				// expected: the backend is down
			}
			return state("optional").equals("TRANSIENT_FAILURE");
		});
		JsonNode health = health("/actuator/health");
		System.out.println("/actuator/health, optional service down: " + health);
		assertThat(health.get("status").asText()).isEqualTo("UP");
		JsonNode grpc = health.get("components").get("grpcClients");
		assertThat(grpc.get("status").asText()).isEqualTo("UP");
		assertThat(grpc.get("details").get("optional").get("required").asBoolean()).isFalse();
		assertThat(grpc.get("details").get("required").get("state").asText()).isEqualTo("READY");
		assertThat(this.http.getForEntity("/actuator/health/readiness", String.class).getStatusCode().value())
			.isEqualTo(200);

		// No call after the stop: nothing but the indicator may notice, as in a quiet night.
		requiredBackend.stop();
		await("required service in TRANSIENT_FAILURE").atMost(Duration.ofSeconds(10))
			.until(() -> state("required").equals("TRANSIENT_FAILURE"));
		ResponseEntity<String> readiness = this.http.getForEntity("/actuator/health/readiness", String.class);
		System.out.println("/actuator/health/readiness, required service down: " + readiness.getBody());
		assertThat(readiness.getStatusCode().value()).isEqualTo(503);
		assertThat(json.readTree(readiness.getBody()).get("status").asText()).isEqualTo("OUT_OF_SERVICE");
		assertThat(health("/actuator/health").get("status").asText()).isEqualTo("OUT_OF_SERVICE");
		ResponseEntity<String> liveness = this.http.getForEntity("/actuator/health/liveness", String.class);
		assertThat(liveness.getStatusCode().value()).isEqualTo(200);
		assertThat(liveness.getBody()).doesNotContain("grpcClients");
	}

	private String state(String service) throws Exception {
		return health("/actuator/health").get("components").get("grpcClients").get("details").get(service)
			.get("state").asText();
	}

	private JsonNode health(String path) throws Exception {
		return json.readTree(this.http.getForEntity(path, String.class).getBody());
	}

	private static EchoRequest request() {
		return EchoRequest.newBuilder().setMessage("health").build();
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

		@GrpcClient("optional")
		EchoServiceGrpc.EchoServiceBlockingStub optional;

		@GrpcClient("required")
		EchoServiceGrpc.EchoServiceBlockingStub required;

	}

}
