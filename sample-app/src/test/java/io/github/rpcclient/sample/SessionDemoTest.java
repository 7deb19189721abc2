package io.github.rpcclient.sample;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.RequestEntity;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.ContextConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's stateful demo over real HTTP: a user pinned to one pod, that pod drained (the user
 * stays, new users go elsewhere) and killed (the user moves).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = SampleBackends.Initializer.class)
class SessionDemoTest {

	@Autowired
	private TestRestTemplate rest;

	@Test
	void userIsPinnedThenSurvivesDrainAndMovesWhenItsPodDies() {
		await("all three session pods published").atMost(Duration.ofSeconds(10))
			.until(() -> pods().size() == SampleBackends.SESSION_PODS);

		int pod = podOf("alice");
		for (int i = 0; i < 5; i++) {
			assertThat(podOf("alice")).as("alice stays on her pod").isEqualTo(pod);
		}

		post("/pods/" + pod + "/drain");
		assertThat(podOf("alice")).as("a draining pod keeps its users").isEqualTo(pod);
		Map<Integer, Integer> newUsers = new HashMap<>();
		IntStream.range(0, 12).forEach((i) -> newUsers.merge(podOf("new-user-" + i), 1, Integer::sum));
		assertThat(newUsers).as("new users avoid the draining pod").doesNotContainKey(pod);

		post("/pods/" + pod + "/kill");
		await("alice moved off the dead pod").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> {
				ResponseEntity<Map<String, Object>> response = join("alice");
				return response.getStatusCode().is2xxSuccessful() && !response.getBody().get("pod").equals(pod);
			});
		int moved = podOf("alice");
		assertThat(moved).isNotEqualTo(pod);
		assertThat(podOf("alice")).as("and stays on the new pod").isEqualTo(moved);
	}

	private int podOf(String user) {
		ResponseEntity<Map<String, Object>> response = join(user);
		assertThat(response.getStatusCode().is2xxSuccessful()).as(String.valueOf(response.getBody())).isTrue();
		return (Integer) response.getBody().get("pod");
	}

	private ResponseEntity<Map<String, Object>> join(String user) {
		return this.rest.exchange(RequestEntity.post("/sessions/" + user).build(),
				new ParameterizedTypeReference<Map<String, Object>>() {
				});
	}

	private Map<String, Object> pods() {
		return this.rest.exchange(RequestEntity.get("/pods").build(), new ParameterizedTypeReference<Map<String, Object>>() {
		}).getBody();
	}

	private void post(String path) {
		this.rest.exchange(RequestEntity.post(path).build(), String.class);
	}

}
