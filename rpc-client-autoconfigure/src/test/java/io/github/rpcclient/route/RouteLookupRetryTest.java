package io.github.rpcclient.route;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsResilienceAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.TestBackend;
import io.grpc.Status;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A call whose route cannot be read because Redis does not answer fails once, within
 * {@code command-timeout}: the call's retry does not wait for Redis again on every attempt.
 */
class RouteLookupRetryTest {

	private static final String NS = RoutingFixture.NS;

	@Test
	void aRouteLookupThatTimesOutIsNotRetried() {
		try (EmbeddedRedis redis = EmbeddedRedis.start();
				RoutingFixture pods = new RoutingFixture(redis);
				TestBackend backend = TestBackend.start(1)) {
			pods.publish("session", 1, 0, backend.address());
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class,
						GrpcClientsAutoConfiguration.class, GrpcClientsRoutingAutoConfiguration.class,
						GrpcClientsResilienceAutoConfiguration.class))
				.withPropertyValues(redis.springProperties())
				.withPropertyValues("grpc-clients.routing.namespace=" + NS,
						"grpc-clients.routing.command-timeout=400ms", "grpc-clients.services[0].name=session",
						"grpc-clients.services[0].stateful=true", "grpc-clients.services[0].retry.max-attempts=3",
						"grpc-clients.services[0].retry.backoff=100ms")
				.withBean(StatefulResilienceTest.SessionClient.class)
				.run((context) -> {
					StatefulResilienceTest.SessionClient client = context
						.getBean(StatefulResilienceTest.SessionClient.class);
					assertThat(client.call("warm")).isEqualTo(1);
					CompletableFuture<String> sleeping = CompletableFuture
						.supplyAsync(() -> redis.run((commands) -> commands.dispatch(CommandType.DEBUG,
								new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add(3))));
					try {
						await("Redis busy with DEBUG SLEEP").atMost(Duration.ofSeconds(2))
							.until(() -> !redis.answersWithin(Duration.ofMillis(50)));
						long start = System.nanoTime();
						assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> client.call("new-user"))
							.satisfies((ex) -> {
								assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
								assertThat(ex.getStatus().getDescription())
									.contains("did not answer within 400ms");
							});
						Duration took = Duration.ofNanos(System.nanoTime() - start);
						System.out.printf("Route lookup with Redis hung failed after %d ms%n", took.toMillis());
						assertThat(took).as("one lookup, not one per attempt").isLessThan(Duration.ofMillis(900));
					}
					finally {
						sleeping.join();
					}
				});
		}
	}

}
