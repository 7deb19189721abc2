package io.github.rpcclient.route;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The link counters are incremented in the background, and the {@code grpc.client.route.store}
 * timer tells their outcome as it tells the other operations': Redis answering, Redis refusing the
 * command, or Redis not answering. Against a real Redis, stopped for the last case.
 */
class BackgroundIncrementOutcomeTest {

	private static final Duration TTL = Duration.ofMinutes(1);

	@Test
	void anIncrementIsASuccessARejectionOrUnavailableAsRedisAnswers() {
		try (EmbeddedRedis redis = EmbeddedRedis.start()) {
			LettuceConnectionFactory connections = redis.newConnectionFactory();
			try {
				RouteStore store = new RouteStore(connections, Duration.ofMillis(500));
				List<String> outcomes = new CopyOnWriteArrayList<>();
				store.setObserver((operation, outcome, nanos) -> outcomes.add(operation + " " + outcome));

				store.incrementInBackground(bytes("links"), bytes("1"), 1, null, 0, TTL);
				await("the increment's outcome").atMost(Duration.ofSeconds(5)).until(() -> outcomes.size() == 1);
				String count = redis.run((commands) -> commands.hget("links", "1"));
				assertThat(count).isEqualTo("1");

				redis.run((commands) -> commands.set("not-a-hash", "x"));
				store.incrementInBackground(bytes("not-a-hash"), bytes("1"), 1, null, 0, TTL);
				await("the refused increment's outcome").atMost(Duration.ofSeconds(5))
					.until(() -> outcomes.size() == 2);

				redis.stop();
				store.incrementInBackground(bytes("links"), bytes("1"), 1, null, 0, TTL);
				await("the unanswered increment's outcome").atMost(Duration.ofSeconds(5))
					.until(() -> outcomes.size() == 3);

				assertThat(outcomes).containsExactly("HINCRBY success", "HINCRBY rejected", "HINCRBY unavailable");
			}
			finally {
				connections.destroy();
			}
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
