package io.github.rpcclient.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.properties.RoutingProperties;
import io.github.rpcclient.route.PodHeartbeatPublisher;
import io.github.rpcclient.route.PodState;
import io.github.rpcclient.route.RouteStore;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.settings.RoutingSettingsFactory;
import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@code grpcclients} endpoint over real HTTP, with real backends and a real Redis: the JSON of
 * a plain and of a stateful service (three pods: one routable with an open breaker, one draining,
 * one down), per-method overrides, 404, and the write operations.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=grpcclients,health,metrics",
				"grpc-clients.routing.namespace=ops", "grpc-clients.routing.registry-refresh=100ms",
				"grpc-clients.routing.heartbeat-ttl=1h" })
class GrpcClientsEndpointTest {

	private static final EmbeddedRedis redis = EmbeddedRedis.start();

	private static final TestBackend echoBackend = TestBackend.start();

	private static final List<TestBackend> podBackends = List.of(TestBackend.start(1), TestBackend.start(2));

	private static final TestBackend flakyBackend = TestBackend.start();

	private static final ClosingListener flakyPort = new ClosingListener(flakyBackend);

	private static final LettuceConnectionFactory publisherRedis = redis.newConnectionFactory();

	private static final List<PodHeartbeatPublisher> publishers = new ArrayList<>();

	static {
		publish(1, 0.25, podBackends.get(0).address(), PodState.ROUTABLE);
		publish(2, 0.5, podBackends.get(1).address(), PodState.DRAINING);
		publish(3, 0.75, "127.0.0.1:1", PodState.DOWN);
	}

	private static final ObjectMapper json = new ObjectMapper();

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private Clients clients;

	@Autowired
	private CircuitBreakerRegistry breakers;

	@Autowired
	private ManagedChannelRegistry channels;

	@DynamicPropertySource
	static void addresses(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.port", redis::port);
		registry.add("spring.data.redis.host", () -> "127.0.0.1");
		String[] services = { "[0].name=echo", "[0].retry.backoff=1ms",
				"[0].methods[0].name=rpcclient.test.EchoService/Slow", "[0].methods[0].timeout=2s",
				"[0].methods[0].retry.max-attempts=5", "[1].name=session", "[1].stateful=true",
				"[1].retry.enabled=false", "[2].name=flaky", "[2].connect=eager", "[3].name=metered",
				"[3].retry.backoff=1ms" };
		for (String service : services) {
			int equals = service.indexOf('=');
			registry.add("grpc-clients.services" + service.substring(0, equals), () -> service.substring(equals + 1));
		}
		registry.add("grpc-clients.services[0].address", echoBackend::address);
		registry.add("grpc-clients.services[2].address", flakyBackend::address);
		registry.add("grpc-clients.services[3].address", echoBackend::address);
	}

	private static void publish(int index, double load, String address, PodState state) {
		RoutingProperties pod = new RoutingProperties();
		pod.setNamespace("ops");
		pod.setHeartbeatTtl(Duration.ofHours(1));
		pod.getPublish().setEnabled(true);
		pod.getPublish().setService("session");
		pod.getPublish().setIndex(index);
		pod.getPublish().setAddress(address);
		PodHeartbeatPublisher publisher = new PodHeartbeatPublisher(
				new RouteStore(publisherRedis, Duration.ofSeconds(1)), RoutingSettingsFactory.resolve(pod), () -> load);
		publisher.setState(state);
		publishers.add(publisher);
	}

	@AfterAll
	static void stop() {
		flakyPort.close();
		flakyBackend.close();
		echoBackend.close();
		podBackends.forEach(TestBackend::close);
		publisherRedis.destroy();
		redis.close();
	}

	/** Tests open breakers; each test starts with every breaker closed, whatever ran before. */
	@AfterEach
	void closeBreakers() {
		this.breakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
	}

	@Test
	void listsPlainAndStatefulServicesFieldByField() throws Exception {
		this.clients.echo.echo(request("a"));
		assertThat(this.clients.session.withOption(StatefulRouting.UID, "user-1").echo(request("b")).getPod())
			.isEqualTo(1);
		this.breakers.find("session#1").orElseThrow().transitionToOpenState();

		String body = this.http.getForObject("/actuator/grpcclients", String.class);
		System.out.println("/actuator/grpcclients: " + body);
		JsonNode services = json.readTree(body);
		assertThat(services.fieldNames()).toIterable().containsExactly("echo", "flaky", "metered", "session");

		JsonNode echo = services.get("echo");
		assertThat(echo.get("target").asText()).isEqualTo(echoBackend.address());
		assertThat(texts(echo.get("resolvedAddresses"))).containsExactly(echoBackend.address());
		assertThat(echo.get("state").asText()).isEqualTo("READY");
		assertThat(echo.get("stateful").asBoolean()).isFalse();
		assertThat(echo.get("loadBalancingPolicy").asText()).isEqualTo("pick_first");
		assertThat(echo.get("connect").asText()).isEqualTo("lazy");
		assertThat(echo.get("timeout").asText()).isEqualTo("30s");
		assertThat(echo.get("tls").asBoolean()).isFalse();
		JsonNode retry = echo.get("retry");
		assertThat(retry.get("enabled").asBoolean()).isTrue();
		assertThat(retry.get("maxAttempts").asInt()).isEqualTo(3);
		assertThat(retry.get("backoff").asText()).isEqualTo("1ms");
		assertThat(texts(retry.get("retryableStatusCodes"))).contains("UNAVAILABLE");
		JsonNode breaker = echo.get("circuitBreaker");
		assertThat(breaker.get("enabled").asBoolean()).isTrue();
		assertThat(breaker.get("state").asText()).isEqualTo("CLOSED");
		assertThat(breaker.get("failureRateThreshold").asDouble()).isPositive();
		assertThat(echo.get("bulkhead").isBoolean()).isTrue();
		assertThat(echo.get("rateLimiter").isBoolean()).isTrue();
		assertThat(echo.get("inFlight").asLong()).isZero();
		assertThat(echo.get("calls").asLong()).isGreaterThanOrEqualTo(1);
		assertThat(echo.get("failures").isNumber()).isTrue();
		assertThat(echo.has("pods")).isFalse();
		assertThat(echo.has("methods")).as("per-method overrides only on the service's own page").isFalse();

		JsonNode session = services.get("session");
		assertThat(session.has("target")).isFalse();
		assertThat(session.get("stateful").asBoolean()).isTrue();
		assertThat(texts(session.get("resolvedAddresses"))).containsExactly(podBackends.get(0).address(),
				podBackends.get(1).address(), "127.0.0.1:1");
		assertThat(session.get("circuitBreaker").has("state")).as("one breaker per pod").isFalse();
		JsonNode pods = session.get("pods");
		assertThat(pods).hasSize(3);
		assertPod(pods.get(0), 1, podBackends.get(0).address(), "ROUTABLE", 0.25, "OPEN");
		// Counted here at once, in Redis in the background: a refresh that reads Redis before that
		// increment lands shows 0 until the next one.
		await("pod 1's link counted").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(json
			.readTree(this.http.getForObject("/actuator/grpcclients", String.class))
			.get("session")
			.get("pods")
			.get(0)
			.get("linkedUsers")
			.asLong()).isGreaterThanOrEqualTo(1));
		assertPod(pods.get(1), 2, podBackends.get(1).address(), "DRAINING", 0.5, null);
		assertPod(pods.get(2), 3, "127.0.0.1:1", "DOWN", 0.75, null);
	}

	private static void assertPod(JsonNode pod, int index, String address, String state, double load,
			String breaker) {
		assertThat(pod.get("index").asInt()).isEqualTo(index);
		assertThat(pod.get("address").asText()).isEqualTo(address);
		assertThat(pod.get("state").asText()).isEqualTo(state);
		assertThat(pod.get("load").asDouble()).isEqualTo(load);
		assertThat(pod.get("heartbeatAgeMillis").asLong()).isBetween(0L, 3_600_000L);
		assertThat(pod.get("linkedUsers").isNumber()).isTrue();
		if (breaker != null) {
			assertThat(pod.get("circuitBreaker").asText()).isEqualTo(breaker);
		}
		else {
			assertThat(pod.has("circuitBreaker")).isFalse();
		}
	}

	@Test
	void serviceShowsItsMethodOverridesAndUnknownIs404() throws Exception {
		String body = this.http.getForObject("/actuator/grpcclients/echo", String.class);
		System.out.println("/actuator/grpcclients/echo: " + body);
		JsonNode methods = json.readTree(body).get("methods");
		assertThat(methods).hasSize(1);
		assertThat(methods.get(0).get("name").asText()).isEqualTo("rpcclient.test.EchoService/Slow");
		assertThat(methods.get(0).get("timeout").asText()).isEqualTo("2s");
		assertThat(methods.get(0).get("retry").get("maxAttempts").asInt()).isEqualTo(5);
		assertThat(this.http.getForEntity("/actuator/grpcclients/nope", String.class).getStatusCode())
			.isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(post("/actuator/grpcclients/nope/reconnect", null).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(post("/actuator/grpcclients/echo/explode", null).getStatusCode())
			.isEqualTo(HttpStatus.BAD_REQUEST);
	}

	@Test
	void resetCircuitBreakerClosesAnOpenBreakerAndIsLogged(CapturedOutput output) {
		this.clients.echo.echo(request("c"));
		this.breakers.find("echo").orElseThrow().transitionToOpenState();
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> this.clients.echo.echo(request("d")))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
		ResponseEntity<String> reset = post("/actuator/grpcclients/echo/reset-circuit-breaker", null);
		System.out.println("POST /actuator/grpcclients/echo/reset-circuit-breaker: " + reset.getBody());
		assertThat(reset.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(reset.getBody()).contains("\"reset\":[\"echo\"]");
		assertThat(this.breakers.find("echo").orElseThrow().getState().name()).isEqualTo("CLOSED");
		assertThat(this.clients.echo.echo(request("e")).getMessage()).isEqualTo("e");
		assertThat(output.getOut()).containsPattern(
				"INFO .*GrpcClientsEndpoint\\s*: grpcclients: reset-circuit-breaker echo by an anonymous caller at 20\\d\\d-");
	}

	@Test
	void drainPodStopsNewLinksToThatPod() {
		assertThat(this.clients.session.withOption(StatefulRouting.UID, "before-drain").echo(request("f")).getPod())
			.isEqualTo(1);
		ResponseEntity<String> drain = post("/actuator/grpcclients/session/drain-pod", Map.of("pod", 1));
		System.out.println("POST /actuator/grpcclients/session/drain-pod: " + drain.getBody());
		assertThat(drain.getStatusCode()).isEqualTo(HttpStatus.OK);
		try {
			assertThatExceptionOfType(StatusRuntimeException.class)
				.as("no routable pod is left for a new user")
				.isThrownBy(() -> this.clients.session.withOption(StatefulRouting.UID, "new-user").echo(request("g")));
			assertThat(this.clients.session.withOption(StatefulRouting.UID, "before-drain").echo(request("h")).getPod())
				.as("a linked user stays on its draining pod")
				.isEqualTo(1);
			assertThat(this.http.getForObject("/actuator/grpcclients/session", String.class))
				.contains("{\"index\":1,").contains("\"state\":\"DRAINING\"");
		}
		finally {
			assertThat(post("/actuator/grpcclients/session/undrain-pod", Map.of("pod", 1)).getBody())
				.contains("\"changed\":true");
		}
		assertThat(this.clients.session.withOption(StatefulRouting.UID, "new-user").echo(request("i")).getPod())
			.isEqualTo(1);
		assertThat(post("/actuator/grpcclients/echo/drain-pod", Map.of("pod", 1)).getStatusCode())
			.isEqualTo(HttpStatus.BAD_REQUEST);
	}

	@Test
	void reconnectConnectsAtOnceInsteadOfWaitingForTheBackoff() {
		await("four failed connection attempts (backoffs 1 s, 1.6 s, 2.6 s), so the next waits about 4.1 s")
			.atMost(Duration.ofSeconds(20))
			.until(() -> flakyPort.accepted.get() >= 4);
		flakyPort.close();
		flakyBackend.restart();
		long start = System.nanoTime();
		ResponseEntity<String> reconnect = post("/actuator/grpcclients/flaky/reconnect", null);
		System.out.println("POST /actuator/grpcclients/flaky/reconnect: " + reconnect.getBody());
		assertThat(reconnect.getStatusCode()).isEqualTo(HttpStatus.OK);
		await("READY well before the backoff ends").atMost(Duration.ofMillis(2500))
			.until(() -> this.channels.getState("flaky") == ConnectivityState.READY);
		System.out.printf("flaky READY %d ms after reconnect%n", (System.nanoTime() - start) / 1_000_000);
	}

	@Test
	void callTimerCountsCallsAndAttemptTimerCountsRetriesWhileRouteMetersMove() throws Exception {
		int calls = 10;
		int retries = 4;
		for (int i = 0; i < calls; i++) {
			if (i < retries / 2) {
				echoBackend.service().failNext("Echo", 2, Status.UNAVAILABLE);
			}
			this.clients.metered.echo(request("m" + i));
		}
		assertThat(count("grpc.client.calls", "grpc.client.name:metered")).isEqualTo(calls);
		assertThat(count("grpc.client.calls", "grpc.client.name:metered", "grpc.status_code:OK",
				"rpc.method:Echo", "rpc.service:rpcclient.test.EchoService")).isEqualTo(calls);
		assertThat(count("grpc.client", "grpc.client.name:metered")).isEqualTo(calls + retries);
		assertThat(value("grpc.client.calls.active", "grpc.client.name:metered")).isZero();
		assertThat(value("grpc.client.channel.state", "grpc.client.name:metered", "state:READY")).isEqualTo(1);
		assertThat(value("grpc.client.channel.state", "grpc.client.name:metered", "state:IDLE")).isZero();

		double misses = count("cache.gets", "cache:grpc-clients.route.near-cache", "result:miss");
		double hits = count("cache.gets", "cache:grpc-clients.route.near-cache", "result:hit");
		double linkScripts = count("grpc.client.route.store", "operation:set-link-if-absent", "outcome:success");
		this.clients.session.withOption(StatefulRouting.UID, "metrics-user").echo(request("n"));
		this.clients.session.withOption(StatefulRouting.UID, "metrics-user").echo(request("o"));
		assertThat(count("cache.gets", "cache:grpc-clients.route.near-cache", "result:miss")).isEqualTo(misses + 1);
		assertThat(count("cache.gets", "cache:grpc-clients.route.near-cache", "result:hit")).isEqualTo(hits + 1);
		assertThat(count("grpc.client.route.store", "operation:set-link-if-absent", "outcome:success"))
			.isEqualTo(linkScripts + 1);
		assertThat(count("grpc.client.route.store", "operation:read-pods", "outcome:success")).isPositive();
		assertThat(value("grpc.client.pods", "grpc.client.name:session", "state:ROUTABLE")).isEqualTo(1);
		assertThat(value("grpc.client.pods", "grpc.client.name:session", "state:DRAINING")).isEqualTo(1);
		assertThat(value("grpc.client.pods", "grpc.client.name:session", "state:DOWN")).isEqualTo(1);
	}

	private double count(String meter, String... tags) throws Exception {
		return measurement(meter, "COUNT", tags);
	}

	private double value(String meter, String... tags) throws Exception {
		return measurement(meter, "VALUE", tags);
	}

	private double measurement(String meter, String statistic, String... tags) throws Exception {
		StringBuilder path = new StringBuilder("/actuator/metrics/").append(meter);
		for (int i = 0; i < tags.length; i++) {
			path.append((i == 0) ? '?' : '&').append("tag=").append(tags[i]);
		}
		ResponseEntity<String> response = this.http.getForEntity(path.toString(), String.class);
		if (response.getStatusCode() == HttpStatus.NOT_FOUND) {
			return 0;
		}
		for (JsonNode each : json.readTree(response.getBody()).get("measurements")) {
			if (each.get("statistic").asText().equals(statistic)) {
				return each.get("value").asDouble();
			}
		}
		throw new AssertionError("no " + statistic + " in " + response.getBody());
	}

	private ResponseEntity<String> post(String path, Object body) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return this.http.postForEntity(path, new HttpEntity<>((body != null) ? body : Map.of(), headers), String.class);
	}

	private static List<String> texts(JsonNode array) {
		List<String> texts = new ArrayList<>();
		array.forEach((node) -> texts.add(node.asText()));
		return texts;
	}

	/** Listens on a stopped backend's port and closes every connection at once, counting them. */
	static final class ClosingListener implements AutoCloseable {

		final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

		private final java.net.ServerSocket server;

		ClosingListener(TestBackend backend) {
			backend.stop();
			try {
				this.server = new java.net.ServerSocket();
				this.server.setReuseAddress(true);
				this.server.bind(new java.net.InetSocketAddress("127.0.0.1", backend.port()));
			}
			catch (java.io.IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
			Thread thread = new Thread(() -> {
				while (!this.server.isClosed()) {
					try (java.net.Socket socket = this.server.accept()) {
						this.accepted.incrementAndGet();
					}
					catch (java.io.IOException ex) {
						// closed
					}
				}
			}, "closing-listener");
			thread.setDaemon(true);
			thread.start();
		}

		@Override
		public void close() {
			try {
				this.server.close();
			}
			catch (java.io.IOException ex) {
				// closed
			}
		}

	}

	static EchoRequest request(String message) {
		return EchoRequest.newBuilder().setMessage(message).build();
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

		@GrpcClient("session")
		EchoServiceGrpc.EchoServiceBlockingStub session;

		@GrpcClient("metered")
		EchoServiceGrpc.EchoServiceBlockingStub metered;

	}

}
