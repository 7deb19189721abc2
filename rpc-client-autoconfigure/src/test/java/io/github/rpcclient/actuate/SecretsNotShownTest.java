package io.github.rpcclient.actuate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.stub.GrpcClient;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.ServerCredentials;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.testing.TlsTesting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.ssl.pem.PemContent;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Secrets set for the clients never show: a TLS private key (inline PEM in an SSL bundle, and a
 * PEM file), a key-store key password, a key-store and a trust-store password and the Redis
 * password are all in use (mutual TLS calls and a stateful call through a password-protected
 * Redis succeed), and then no actuator response (every exposed endpoint, the per-service pages,
 * {@code /env} and {@code /configprops} of those very keys, health with details, the write
 * operations) and no log line of the whole run, our package at DEBUG, contains any of them. With
 * Spring Boot's defaults {@code /env} and {@code /configprops} mask every value; this test shows
 * values ({@code show-values=always}), so the secrets are masked by the auto-configured
 * {@link ClientSecretsSanitizer} alone.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=*", "management.endpoint.health.show-details=always",
				"management.endpoint.health.probes.enabled=true", "logging.level.io.github.rpcclient=DEBUG",
				"management.endpoint.env.show-values=always", "management.endpoint.configprops.show-values=always",
				"grpc-clients.routing.namespace=secrets", "grpc-clients.routing.registry-refresh=100ms" })
class SecretsNotShownTest {

	private static final String STORE_PASSWORD = "store-pw-Q7x2Lm";

	private static final String KEY_PASSWORD = "key-pw-R4t9Vn";

	private static final String TRUST_PASSWORD = "trust-pw-K8s3Wd";

	private static final String REDIS_PASSWORD = "redis-pw-Z5h1Jc";

	private static final String AUTHORITY = "foo.test.google.fr";

	private static final Path certs = certificates();

	private static final String PRIVATE_KEY = read("client.key");

	private static final EmbeddedRedis redis = EmbeddedRedis.startRequiringPassword(REDIS_PASSWORD);

	private static final TestBackend mtlsBackend = TestBackend.start(1, mutualTls());

	private static final TestBackend sessionBackend = TestBackend.start(7);

	private static final ObjectMapper json = new ObjectMapper();

	/** The services, which the per-service pages and the write operations are asked for. */
	private static final List<String> SERVICES = List.of("p12", "pem-bundle", "pem-files", "down", "session");

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private Clients clients;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", () -> "127.0.0.1");
		registry.add("spring.data.redis.port", redis::port);
		registry.add("spring.data.redis.password", () -> REDIS_PASSWORD);
		String p12 = "spring.ssl.bundle.jks.p12-client.";
		registry.add(p12 + "keystore.location", () -> certs.resolve("client.p12").toUri().toString());
		registry.add(p12 + "keystore.type", () -> "PKCS12");
		registry.add(p12 + "keystore.password", () -> STORE_PASSWORD);
		registry.add(p12 + "key.password", () -> KEY_PASSWORD);
		registry.add(p12 + "truststore.location", () -> certs.resolve("trust.p12").toUri().toString());
		registry.add(p12 + "truststore.type", () -> "PKCS12");
		registry.add(p12 + "truststore.password", () -> TRUST_PASSWORD);
		String pem = "spring.ssl.bundle.pem.pem-client.";
		registry.add(pem + "keystore.certificate", () -> uri("client.pem"));
		registry.add(pem + "keystore.private-key", () -> PRIVATE_KEY);
		registry.add(pem + "truststore.certificate", () -> uri("ca.pem"));
		service(registry, 0, "p12", mtlsBackend.address(), "tls.ssl-bundle=p12-client");
		service(registry, 1, "pem-bundle", mtlsBackend.address(), "tls.ssl-bundle=pem-client");
		service(registry, 2, "pem-files", mtlsBackend.address(), "tls.trust-cert=" + uri("ca.pem"),
				"tls.cert-chain=" + uri("client.pem"), "tls.private-key=" + uri("client.key"));
		service(registry, 3, "down", "127.0.0.1:1", "tls.ssl-bundle=p12-client");
		registry.add("grpc-clients.services[4].name", () -> "session");
		registry.add("grpc-clients.services[4].stateful", () -> "true");
		registry.add("grpc-clients.services[4].retry.enabled", () -> "false");
		registry.add("grpc-clients.routing.publish.enabled", () -> "true");
		registry.add("grpc-clients.routing.publish.service", () -> "session");
		registry.add("grpc-clients.routing.publish.index", () -> "1");
		registry.add("grpc-clients.routing.publish.address", sessionBackend::address);
	}

	private static void service(DynamicPropertyRegistry registry, int index, String name, String address,
			String... tls) {
		String prefix = "grpc-clients.services[" + index + "].";
		registry.add(prefix + "name", () -> name);
		registry.add(prefix + "address", () -> address);
		registry.add(prefix + "retry.enabled", () -> "false");
		registry.add(prefix + "tls.enabled", () -> "true");
		registry.add(prefix + "tls.authority-override", () -> AUTHORITY);
		for (String key : tls) {
			int equals = key.indexOf('=');
			registry.add(prefix + key.substring(0, equals), () -> key.substring(equals + 1));
		}
	}

	@AfterAll
	static void stop() {
		mtlsBackend.close();
		sessionBackend.close();
		redis.close();
	}

	@Test
	void noSecretInAnyActuatorResponseNorInAnyLogLine(CapturedOutput output) throws Exception {
		// The secrets are in use: mutual TLS with each kind of key material, AUTH on Redis.
		assertThat(this.clients.p12.echo(request("p12")).getPod()).isEqualTo(1);
		assertThat(this.clients.pemBundle.echo(request("pem-bundle")).getPod()).isEqualTo(1);
		assertThat(this.clients.pemFiles.echo(request("pem-files")).getPod()).isEqualTo(1);
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> this.clients.down.echo(request("x")));
		await("the published pod, read from Redis with the password").atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> this.clients.session.withOption(StatefulRouting.UID, "user-1").echo(request("s")).getPod() == 7);

		Map<String, ResponseEntity<String>> responses = new LinkedHashMap<>();
		for (String path : paths()) {
			responses.put("GET " + path, this.http.getForEntity(path, String.class));
		}
		for (String service : SERVICES) {
			for (String operation : List.of("reconnect", "reset-circuit-breaker")) {
				String path = "/actuator/grpcclients/" + service + "/" + operation;
				responses.put("POST " + path, post(path, Map.of()));
			}
		}
		String drain = "/actuator/grpcclients/session/drain-pod";
		responses.put("POST " + drain, post(drain, Map.of("pod", 1)));
		String undrain = "/actuator/grpcclients/session/undrain-pod";
		responses.put("POST " + undrain, post(undrain, Map.of("pod", 1)));
		System.out.println("actuator requests made: " + responses.size());

		assertThat(responses.get("GET /actuator/env/spring.data.redis.password").getBody())
			.as("the key is there, its value masked").contains("\"value\":\"******\"");
		assertThat(responses.get("GET /actuator/env/spring.ssl.bundle.jks.p12-client.key.password").getBody())
			.contains("\"value\":\"******\"");
		assertThat(responses.get("GET /actuator/env/spring.data.redis.host").getBody())
			.as("values are shown, only secrets masked").contains("\"value\":\"127.0.0.1\"");
		assertThat(responses.get("GET /actuator/configprops/spring.data.redis").getBody())
			.contains("\"password\":\"******\"");
		assertThat(responses.get("GET /actuator/grpcclients/p12").getBody()).contains("\"tls\":true");
		assertThat(responses.get("GET /actuator/health").getBody()).contains("\"grpcClients\"").contains("\"redis\"");
		assertThat(responses.get("POST " + drain).getBody()).contains("\"changed\":true");
		responses.forEach((request, response) -> {
			assertThat(response.getStatusCode().is5xxServerError()).as("%s: %s", request, response.getBody()).isFalse();
			assertNoSecret(request, response.getBody());
		});
		assertThat(output.getAll()).contains("grpcclients: drain-pod session pod 1 by an anonymous caller");
		assertNoSecret("the log", output.getAll());
	}

	/**
	 * Every endpoint the index links to, the templated ones with the values that matter here (a
	 * heap dump is memory itself and is left out).
	 */
	private List<String> paths() throws Exception {
		JsonNode links = json.readTree(this.http.getForObject("/actuator", String.class)).get("_links");
		List<String> paths = new ArrayList<>(List.of("/actuator"));
		Set<String> envKeys = Set.of("spring.data.redis.host", "spring.data.redis.password", "spring.ssl.bundle.jks.p12-client.keystore.password",
				"spring.ssl.bundle.jks.p12-client.key.password", "spring.ssl.bundle.jks.p12-client.truststore.password",
				"spring.ssl.bundle.pem.pem-client.keystore.private-key", "grpc-clients.services[2].tls.private-key");
		links.fields().forEachRemaining((link) -> {
			String href = link.getValue().get("href").asText();
			String path = href.substring(href.indexOf("/actuator"));
			if (link.getKey().equals("heapdump")) {
				return;
			}
			if (!link.getValue().get("templated").asBoolean()) {
				paths.add(path);
				return;
			}
			String base = path.substring(0, path.indexOf("/{"));
			switch (link.getKey()) {
				case "grpcclients-name" -> SERVICES.forEach((service) -> paths.add(base + "/" + service));
				case "env-toMatch" -> envKeys.forEach((key) -> paths.add(base + "/" + key));
				case "configprops-prefix" -> List.of("grpc-clients", "spring.data.redis", "spring.ssl")
					.forEach((prefix) -> paths.add(base + "/" + prefix));
				case "health-path" -> List.of("grpcClients", "redis", "ssl", "readiness", "liveness")
					.forEach((component) -> paths.add(base + "/" + component));
				case "metrics-requiredMetricName" -> metricNames(base).forEach((name) -> paths.add(base + "/" + name));
				default -> {
				}
			}
		});
		assertThat(paths).as("endpoints asked").contains("/actuator/grpcclients", "/actuator/grpcclients/p12",
				"/actuator/env", "/actuator/configprops", "/actuator/health", "/actuator/env/spring.data.redis.password",
				"/actuator/configprops/spring.data.redis", "/actuator/health/grpcClients", "/actuator/loggers",
				"/actuator/metrics/grpc.client.calls");
		return paths;
	}

	private List<String> metricNames(String base) {
		List<String> names = new ArrayList<>();
		try {
			json.readTree(this.http.getForObject(base, String.class)).get("names").forEach((n) -> names.add(n.asText()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return names;
	}

	private static void assertNoSecret(String where, String text) {
		if (text == null) {
			return;
		}
		for (String secret : List.of(STORE_PASSWORD, KEY_PASSWORD, TRUST_PASSWORD, REDIS_PASSWORD)) {
			assertThat(text).as("%s shows a secret", where).doesNotContain(secret);
		}
		for (String line : PRIVATE_KEY.split("\n")) {
			if (!line.startsWith("-----") && line.length() > 16) {
				assertThat(text).as("%s shows the private key", where).doesNotContain(line.trim());
			}
		}
	}

	private ResponseEntity<String> post(String path, Object body) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return this.http.postForEntity(path, new HttpEntity<>(body, headers), String.class);
	}

	private static EchoRequest request(String message) {
		return EchoRequest.newBuilder().setMessage(message).build();
	}

	private static String uri(String name) {
		return certs.resolve(name).toUri().toString();
	}

	private static String read(String name) {
		try {
			return Files.readString(certs.resolve(name), StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static ServerCredentials mutualTls() {
		try {
			return TlsServerCredentials.newBuilder()
				.keyManager(certs.resolve("server1.pem").toFile(), certs.resolve("server1.key").toFile())
				.trustManager(certs.resolve("ca.pem").toFile())
				.clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
				.build();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * grpc-java's test certificates as files, plus a PKCS#12 key store (store password and a
	 * different key password) with the client key and a PKCS#12 trust store with the test CA.
	 */
	private static Path certificates() {
		try {
			Path dir = Files.createTempDirectory("secrets-test");
			dir.toFile().deleteOnExit();
			for (String name : new String[] { "ca.pem", "server1.pem", "server1.key", "client.pem", "client.key" }) {
				try (InputStream in = TlsTesting.loadCert(name)) {
					Files.copy(in, dir.resolve(name));
				}
				dir.resolve(name).toFile().deleteOnExit();
			}
			PemContent chain = PemContent.load(dir.resolve("client.pem"));
			KeyStore keyStore = KeyStore.getInstance("PKCS12");
			keyStore.load(null, null);
			keyStore.setKeyEntry("client", PemContent.load(dir.resolve("client.key")).getPrivateKey(),
					KEY_PASSWORD.toCharArray(), chain.getCertificates().toArray(new X509Certificate[0]));
			store(keyStore, dir.resolve("client.p12"), STORE_PASSWORD);
			KeyStore trustStore = KeyStore.getInstance("PKCS12");
			trustStore.load(null, null);
			trustStore.setCertificateEntry("ca", PemContent.load(dir.resolve("ca.pem")).getCertificates().get(0));
			store(trustStore, dir.resolve("trust.p12"), TRUST_PASSWORD);
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void store(KeyStore store, Path file, String password) throws IOException, GeneralSecurityException {
		try (OutputStream out = Files.newOutputStream(file)) {
			store.store(out, password.toCharArray());
		}
		file.toFile().deleteOnExit();
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

		@GrpcClient("p12")
		EchoServiceGrpc.EchoServiceBlockingStub p12;

		@GrpcClient("pem-bundle")
		EchoServiceGrpc.EchoServiceBlockingStub pemBundle;

		@GrpcClient("pem-files")
		EchoServiceGrpc.EchoServiceBlockingStub pemFiles;

		@GrpcClient("down")
		EchoServiceGrpc.EchoServiceBlockingStub down;

		@GrpcClient("session")
		EchoServiceGrpc.EchoServiceBlockingStub session;

	}

}
