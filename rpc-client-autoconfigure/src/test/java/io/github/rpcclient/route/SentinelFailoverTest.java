package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.github.rpcclient.test.BootRedisConnections;
import io.github.rpcclient.test.RedisSentinelProcesses;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route store on a real Redis Sentinel setup (a master, a replica and three sentinels,
 * redis-server processes started by the test and shared by the class, {@code
 * down-after-milliseconds} 1 s), connected as Spring Boot connects an application
 * ({@code spring.data.redis.sentinel.master} and {@code nodes}, Spring Data Redis'
 * {@code RedisSentinelConfiguration}).
 */
class SentinelFailoverTest {

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	/** What an operation may take beyond {@code command-timeout} on a loaded 2-core machine. */
	private static final Duration MARGIN = Duration.ofMillis(250);

	private static RedisSentinelProcesses sentinel;

	private static BootRedisConnections boot;

	private final List<RoutingFixture> clients = new ArrayList<>();

	private final List<Integer> killed = new ArrayList<>();

	private FailoverScenarios scenarios;

	@BeforeAll
	static void startSentinel() {
		sentinel = RedisSentinelProcesses.start();
		boot = new BootRedisConnections();
	}

	@AfterAll
	static void stopSentinel() {
		boot.close();
		sentinel.close();
	}

	@BeforeEach
	void scenarios() {
		this.scenarios = new FailoverScenarios("Sentinel", new FailingSentinel(), this::client, COMMAND_TIMEOUT,
				MARGIN);
	}

	@AfterEach
	void closeClientsAndRestartTheKilledMaster() {
		this.clients.forEach(RoutingFixture::close);
		boot.close();
		this.killed.forEach(sentinel::restartAsReplica);
		sentinel.awaitReplicaInSync();
		sentinel.run(sentinel.masterPort(), (redis) -> redis.flushall());
	}

	private RoutingFixture client() {
		String[] redis = java.util.stream.Stream.concat(java.util.Arrays.stream(sentinel.springProperties()),
				java.util.stream.Stream.of("spring.data.redis.client-name=client-" + this.clients.size()))
			.toArray(String[]::new);
		RoutingFixture client = new RoutingFixture(() -> boot.create(redis),
				(properties) -> properties.setCommandTimeout(COMMAND_TIMEOUT));
		this.clients.add(client);
		return client;
	}

	@Test
	void linksBatchesAndRelinksWorkThroughSentinel() {
		RoutingFixture a = client();
		RoutingFixture b = client();
		PodHeartbeatPublisher pod1 = a.publish(FailoverScenarios.SVC, 1, 0);
		a.publish(FailoverScenarios.SVC, 2, 1);
		b.registry.refresh();
		String ns = FailoverScenarios.NS;
		String svc = FailoverScenarios.SVC;
		org.assertj.core.api.Assertions.assertThat(a.driver.computeLinkedPod(ns, "u1", svc)).hasValue(1);
		org.assertj.core.api.Assertions.assertThat(b.driver.computeLinkedPod(ns, "u1", svc)).hasValue(1);
		org.assertj.core.api.Assertions.assertThat(b.driver.batchGetLinkedPod(ns, List.of("u1", "u2"), svc))
			.containsExactly(java.util.Map.entry(1, List.of("u1")));
		pod1.setState(PodState.DOWN);
		a.registry.refresh();
		org.assertj.core.api.Assertions.assertThat(a.driver.computeLinkedPod(ns, "u1", svc)).hasValue(2);
		org.awaitility.Awaitility.await("B's near cache to drop the old link")
			.atMost(Duration.ofSeconds(2))
			.until(() -> b.driver.getLinkedInCache(ns, "u1", svc).isEmpty());
		org.assertj.core.api.Assertions.assertThat(b.driver.computeLinkedPod(ns, "u1", svc)).hasValue(2);
	}

	@Test
	void aMasterKilledUnderLoadLosesNoLinkAndOperationsResumeAfterThePromotion() throws Exception {
		this.scenarios.masterKilledUnderLoad();
	}

	@Test
	void aLinkTheFailoverLostIsNotSplitBetweenClients() {
		this.scenarios.linkLostInTheFailoverIsNotSplit();
	}

	private final class FailingSentinel implements FailoverScenarios.FailingRedis {

		@Override
		public int masterOf(byte[] key) {
			return sentinel.masterPort();
		}

		@Override
		public void kill(int port) {
			sentinel.kill(port);
			SentinelFailoverTest.this.killed.add(port);
		}

		@Override
		public void awaitReplicasInSync() {
			sentinel.awaitReplicaInSync();
		}

		@Override
		public <T> T run(int port, Function<RedisCommands<String, String>, T> command) {
			return sentinel.run(port, command);
		}

	}

}
