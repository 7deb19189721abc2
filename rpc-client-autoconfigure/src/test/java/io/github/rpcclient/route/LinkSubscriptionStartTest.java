package io.github.rpcclient.route;

import java.time.Duration;
import java.util.List;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsRoutingAutoConfiguration;
import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application that has Redis for its own reasons and no stateful service does not subscribe
 * to relinks (before, every such application held a pub/sub connection, and logged a warning
 * every two seconds while its Redis was away); it subscribes as soon as it has a stateful
 * service, or once the driver first caches a link.
 */
class LinkSubscriptionStartTest {

	private static final EmbeddedRedis redis = EmbeddedRedis.start();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
				GrpcClientsRoutingAutoConfiguration.class))
		.withPropertyValues(redis.springProperties());

	@AfterAll
	static void stop() {
		redis.close();
	}

	@Test
	void noStatefulServiceMeansNoSubscriptionUntilTheDriverCachesALink() {
		this.runner.run((context) -> {
			LinkChangeSubscriber subscriber = context.getBean(LinkChangeSubscriber.class);
			assertThat(subscriber.isRunning()).isTrue();
			await("no subscriber for a while").during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.until(() -> subscribers() == 0);
			assertThat(subscriber.isSubscribed()).isFalse();

			StatefulRouteDriver driver = context.getBean(StatefulRouteDriver.class);
			driver.setCache("other-namespace", "alice", "inventory", 2);
			await("subscribed once a link is cached").atMost(Duration.ofSeconds(5))
				.until(() -> subscriber.isSubscribed() && subscribers() == 1);
		});
		await("unsubscribed at close").atMost(Duration.ofSeconds(5)).until(() -> subscribers() == 0);
	}

	@Test
	void aStatefulServiceSubscribesAtStart() {
		this.runner.withPropertyValues("grpc-clients.services[0].name=session", "grpc-clients.services[0].stateful=true")
			.run((context) -> await("subscribed at start").atMost(Duration.ofSeconds(5))
				.until(() -> context.getBean(LinkChangeSubscriber.class).isSubscribed() && subscribers() == 1));
	}

	private static long subscribers() {
		return redis.run((commands) -> {
			List<Object> reply = commands.pubsubNumsub("rpc:link-changes").entrySet().stream()
				.map((entry) -> (Object) entry.getValue())
				.toList();
			return (Long) reply.get(0);
		});
	}

}
