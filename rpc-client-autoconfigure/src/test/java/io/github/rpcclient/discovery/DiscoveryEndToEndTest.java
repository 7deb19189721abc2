package io.github.rpcclient.discovery;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A whole application as users build it: every auto-configuration on the classpath (Spring Cloud
 * Commons' included, found through their imports), a {@code discovery:///} service fed by
 * {@code spring.cloud.discovery.client.simple.instances}, a {@code @GrpcClient} stub, and the
 * actuator endpoint over real HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=grpcclients", "grpc-clients.services[0].name=echo",
				"grpc-clients.services[0].address=discovery:///echo-svc",
				"grpc-clients.services[0].load-balancing-policy=round_robin" })
class DiscoveryEndToEndTest {

	private static final TestBackend first = TestBackend.start(1);

	private static final TestBackend second = TestBackend.start(2);

	@Autowired
	private Clients clients;

	@Autowired
	private TestRestTemplate http;

	@DynamicPropertySource
	static void instances(DynamicPropertyRegistry registry) {
		String simple = "spring.cloud.discovery.client.simple.instances.echo-svc";
		registry.add(simple + "[0].uri", () -> "http://" + first.address());
		registry.add(simple + "[1].uri", () -> "http://127.0.0.1:1");
		registry.add(simple + "[1].metadata.gRPC_port", () -> String.valueOf(second.port()));
	}

	@AfterAll
	static void stopBackends() {
		first.close();
		second.close();
	}

	@Test
	void anInjectedStubReachesEveryDiscoveredInstance() {
		Set<Integer> pods = new HashSet<>();
		await("calls answered by both instances").atMost(Duration.ofSeconds(10)).until(() -> {
			pods.add(this.clients.echo.echo(EchoRequest.newBuilder().setMessage("hi").build()).getPod());
			return pods.size() == 2;
		});
		assertThat(pods).containsExactlyInAnyOrder(1, 2);
		assertThat(this.http.getForObject("/actuator/grpcclients", String.class)).contains("discovery:///echo-svc");
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
