package io.github.rpcclient.route;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.github.rpcclient.test.RedisSentinelProcesses;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The route store on a real Redis Sentinel setup (a master, a replica and three sentinels,
 * redis-server processes started by the test and shared by the class,
 * {@code down-after-milliseconds} 1 s), connected as Spring Boot connects an application
 * ({@code spring.data.redis.sentinel.master} and {@code nodes}, which Spring Boot turns into
 * Spring Data Redis' {@code RedisSentinelConfiguration}).
 */
class SentinelFailoverTest extends FailoverTestSupport {

	private static final String NS = FailoverScenarios.NS;

	private static final String SVC = FailoverScenarios.SVC;

	private static RedisSentinelProcesses sentinel;

	@BeforeAll
	static void startSentinel() {
		sentinel = RedisSentinelProcesses.start();
	}

	@AfterAll
	static void stopSentinel() {
		sentinel.close();
	}

	@Override
	List<String> redisProperties() {
		return List.of(sentinel.springProperties());
	}

	@Test
	void linksBatchesAndRelinksWorkThroughSentinel() {
		RoutingFixture a = client();
		RoutingFixture b = client();
		RoutingFixture.assertRelinkReaches(a, b, SVC);
		assertThat(b.driver.batchGetLinkedPod(NS, List.of("u1", "u2"), SVC)).containsExactly(Map.entry(2, List.of("u1")));
	}

	@Override
	public int masterOf(byte[] key) {
		return sentinel.masterPort();
	}

	@Override
	void killNode(int port) {
		sentinel.kill(port);
	}

	@Override
	void restartNode(int port) {
		sentinel.restartAsReplica(port);
	}

	@Override
	public void awaitReplicasInSync() {
		sentinel.awaitReplicaInSync();
	}

	@Override
	void flushMasters() {
		sentinel.run(sentinel.masterPort(), RedisCommands::flushall);
	}

	@Override
	public <T> T run(int port, Function<RedisCommands<String, String>, T> command) {
		return sentinel.run(port, command);
	}

}
