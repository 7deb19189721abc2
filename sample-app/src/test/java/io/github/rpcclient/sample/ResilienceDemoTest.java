package io.github.rpcclient.sample;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.RequestEntity;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's resilience demo over real HTTP: a flaky backend retried into success, then failing
 * for good until the breaker opens, all visible through Resilience4j's actuator endpoints.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = SampleBackends.Initializer.class)
@DirtiesContext
class ResilienceDemoTest {

	@Autowired
	private TestRestTemplate rest;

	@Test
	void aFlakyBackendIsRetriedAndABrokenOneOpensTheBreaker() {
		post("/faults/book-service?failures=2");
		assertThat(this.rest.getForEntity("/books/1", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(get("/actuator/retries").toString()).contains("book-service");
		assertThat(get("/actuator/metrics/resilience4j.retry.calls?tag=kind:successful_with_retry&tag=name:book-service").toString())
			.contains("value=1.0");

		post("/faults/book-service?failures=1000");
		for (int i = 0; i < 5; i++) {
			assertThat(this.rest.getForEntity("/books/1", String.class).getStatusCode())
				.isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		}
		Map<String, Object> breakers = get("/actuator/circuitbreakers");
		assertThat(breakers.toString()).contains("book-service").contains("state=OPEN");
		ResponseEntity<String> refused = this.rest.getForEntity("/books/1", String.class);
		assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(refused.getBody()).contains("Circuit breaker 'book-service'").contains("is OPEN");
		assertThat(get("/actuator/circuitbreakerevents/book-service").toString()).contains("STATE_TRANSITION");
		post("/faults/book-service?failures=0");
	}

	private Map<String, Object> get(String path) {
		return this.rest.exchange(RequestEntity.get(path).build(), new ParameterizedTypeReference<Map<String, Object>>() {
		}).getBody();
	}

	private void post(String path) {
		assertThat(this.rest.exchange(RequestEntity.post(path).build(), String.class).getStatusCode().is2xxSuccessful())
			.isTrue();
	}

}
