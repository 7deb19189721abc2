package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.github.rpcclient.test.RedisClusterProcesses;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route store on a real Redis Cluster of three masters with one replica each (redis-server
 * processes started by the test and shared by the class, {@code cluster-node-timeout} 1 s),
 * connected as Spring Boot connects an application: {@code spring.data.redis.cluster.nodes} with
 * Lettuce's topology refresh ({@code spring.data.redis.lettuce.cluster.refresh.adaptive=true},
 * {@code refresh.period=1s}) unless a test says otherwise.
 */
class ClusterFailoverTest extends FailoverTestSupport {

	private static final String REFRESH_ADAPTIVE = "spring.data.redis.lettuce.cluster.refresh.adaptive=true";

	private static final String REFRESH_PERIOD = "spring.data.redis.lettuce.cluster.refresh.period=1s";

	private static RedisClusterProcesses cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisClusterProcesses.startWithReplicas(Duration.ofSeconds(1));
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@Override
	List<String> redisProperties() {
		return List.of("spring.data.redis.cluster.nodes=" + cluster.ports()
			.stream()
			.map((port) -> "127.0.0.1:" + port)
			.collect(Collectors.joining(",")), "spring.data.redis.timeout=2s",
				"spring.data.redis.connect-timeout=500ms");
	}

	@Override
	RoutingFixture client(String... more) {
		return super.client((more.length > 0) ? more : new String[] { REFRESH_ADAPTIVE, REFRESH_PERIOD });
	}

	/**
	 * Lettuce learns that a replica took over only through a topology refresh: without
	 * {@code refresh.period} the failed-over slots stay unreachable (commands wait for the dead
	 * master until they time out), and adaptive refresh alone fired before the promotion (on the
	 * failed reconnections) and then waits 30 s before it may fire again.
	 */
	@Test
	void operationsResumeAfterTheFailoverOnlyWithAPeriodicTopologyRefresh() throws Exception {
		Map<String, RoutingFixture> variants = new LinkedHashMap<>();
		variants.put("adaptive + period 1s", client(REFRESH_ADAPTIVE, REFRESH_PERIOD));
		variants.put("period 1s", client(REFRESH_PERIOD));
		variants.put("adaptive", client(REFRESH_ADAPTIVE));
		// Spring Boot's defaults: no periodic, no adaptive refresh (dynamic-refresh-sources only says where to look)
		variants.put("none", client("spring.data.redis.lettuce.cluster.refresh.dynamic-refresh-sources=true"));
		String uid = "user-1";
		byte[] key = variants.get("none").driver.keys().link(FailoverScenarios.NS, uid);
		int victim = masterOf(key);
		awaitReplicasInSync();
		kill(victim);
		long killed = System.nanoTime();
		await("a replica to take over").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> masterOf(key) != victim);
		long promoted = System.nanoTime();
		long watchUntil = promoted + TimeUnit.SECONDS.toNanos(5);
		Map<String, Long> resumedAfterPromotion = new ConcurrentHashMap<>();
		List<Thread> watchers = new ArrayList<>();
		variants.forEach((name, client) -> {
			Thread watcher = new Thread(() -> {
				while (System.nanoTime() - watchUntil < 0) {
					try {
						client.driver.getLinkedPodNotCache(FailoverScenarios.NS, uid, FailoverScenarios.SVC);
						resumedAfterPromotion.put(name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - promoted));
						return;
					}
					catch (RuntimeException ex) {
						LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
					}
				}
			}, "watch-" + name);
			watcher.start();
			watchers.add(watcher);
		});
		for (Thread watcher : watchers) {
			watcher.join(30_000);
		}
		System.out.printf("Cluster failover: replica promoted %d ms after the kill; operations on its slots resumed "
				+ "(ms after the promotion, watched for 5 s, -1: not) per spring.data.redis.lettuce.cluster.refresh "
				+ "setting: %s%n", TimeUnit.NANOSECONDS.toMillis(promoted - killed), variants.keySet()
					.stream()
					.map((name) -> name + " -> " + resumedAfterPromotion.getOrDefault(name, -1L))
					.collect(Collectors.joining(", ")));
		assertThat(resumedAfterPromotion).as("resumed within 5 s of the promotion")
			.containsOnlyKeys("adaptive + period 1s", "period 1s");
		assertThat(resumedAfterPromotion.values()).allMatch((millis) -> millis <= 2500);
	}

	@Override
	public int masterOf(byte[] key) {
		return cluster.portOfSlot(SlotHash.getSlot(key));
	}

	@Override
	void killNode(int port) {
		cluster.kill(port);
	}

	@Override
	void restartNode(int port) {
		cluster.restart(port);
	}

	@Override
	public void awaitReplicasInSync() {
		cluster.awaitReplicasInSync();
	}

	@Override
	void flushMasters() {
		cluster.masterPorts().forEach((port) -> cluster.run(port, RedisCommands::flushall));
	}

	@Override
	public <T> T run(int port, Function<RedisCommands<String, String>, T> command) {
		return cluster.run(port, command);
	}

}
