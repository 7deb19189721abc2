package io.github.rpcclient.sample;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.RequestEntity;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.ContextConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's RpcProxy demo over real HTTP: bytes and JSON by message id to the stateless
 * router, and to each user's session pod over that pod's stream.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = SampleBackends.Initializer.class)
class ProxyDemoTest {

	@Autowired
	private TestRestTemplate rest;

	@Test
	void statelessBytesAndJson() {
		assertThat(post("/proxy/echo", MediaType.TEXT_PLAIN, "hello").getBody()).containsEntry("mode", "stateless")
			.containsEntry("echo", "hello");
		ResponseEntity<Map<String, Object>> login = post("/proxy/login", MediaType.APPLICATION_JSON,
				"{\"user\":\"alice\",\"password\":\"secret\"}");
		assertThat(login.getBody()).containsEntry("user", "alice").containsEntry("from", "rpc-client-sample");
		assertThat((String) login.getBody().get("token")).startsWith("token-");
		ResponseEntity<Map<String, Object>> refused = post("/proxy/login", MediaType.APPLICATION_JSON,
				"{\"user\":\"alice\",\"password\":\"\"}");
		assertThat(refused.getStatusCode().value()).isEqualTo(400);
		assertThat(refused.getBody()).containsEntry("error", "HANDLER_ERROR").containsEntry("handlerCode", "BAD_PASSWORD");
	}

	@Test
	void statefulCallsReachTheUsersPodOverItsStream() {
		await("session pods published").atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> post("/proxy/sessions/probe/login", MediaType.APPLICATION_JSON, "").getStatusCode()
				.is2xxSuccessful());
		ResponseEntity<Map<String, Object>> first = post("/proxy/sessions/bob/login", MediaType.APPLICATION_JSON, "");
		assertThat(first.getBody()).containsEntry("user", "bob");
		Object pod = first.getBody().get("pod");
		for (int i = 0; i < 3; i++) {
			assertThat(post("/proxy/sessions/bob/login", MediaType.APPLICATION_JSON, "").getBody()).containsEntry("pod", pod);
		}
		// the stub path agrees: one truth for the user's pod
		assertThat(post("/sessions/bob", MediaType.APPLICATION_JSON, "").getBody()).containsEntry("pod", pod);
		assertThat(post("/proxy/sessions/bob/echo", MediaType.TEXT_PLAIN, "ping").getBody())
			.containsEntry("mode", "stateful")
			.containsEntry("echo", "ping");
	}

	private ResponseEntity<Map<String, Object>> post(String path, MediaType type, String body) {
		return this.rest.exchange(RequestEntity.post(path).contentType(type).body(body),
				new ParameterizedTypeReference<Map<String, Object>>() {
				});
	}

}
