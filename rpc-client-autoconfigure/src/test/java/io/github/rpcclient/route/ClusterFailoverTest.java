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

import io.github.rpcclient.test.BootRedisConnections;
import io.github.rpcclient.test.RedisClusterProcesses;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route store on a real Redis Cluster of three masters with one replica each (redis-server
 * processes started by the test and shared by the class, {@code cluster-node-timeout} 1 s),
 * connected as Spring Boot connects an application: {@code spring.data.redis.cluster.nodes} with
 * Lettuce's topology refresh ({@code spring.data.redis.lettuce.cluster.refresh.adaptive=true},
 * {@code refresh.period=1s}). A master is killed with SIGKILL in each test and brought back as a
 * replica after it.
 */
class ClusterFailoverTest {

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	/** What an operation may take beyond {@code command-timeout} on a loaded 2-core machine. */
	private static final Duration MARGIN = Duration.ofMillis(250);

	private static RedisClusterProcesses cluster;

	private static BootRedisConnections boot;

	private final List<RoutingFixture> clients = new ArrayList<>();

	private final List<Integer> killed = new ArrayList<>();

	private FailoverScenarios scenarios;

	@BeforeAll
	static void startCluster() {
		cluster = RedisClusterProcesses.startWithReplicas(Duration.ofSeconds(1));
		boot = new BootRedisConnections();
	}

	@AfterAll
	static void stopCluster() {
		boot.close();
		cluster.close();
	}

	@BeforeEach
	void scenarios() {
		this.scenarios = new FailoverScenarios("Cluster", new FailingCluster(), this::client, COMMAND_TIMEOUT, MARGIN);
	}

	@AfterEach
	void closeClientsAndRestartTheKilledMaster() {
		this.clients.forEach(RoutingFixture::close);
		boot.close();
		this.killed.forEach(cluster::restart);
		cluster.awaitReplicasInSync();
		cluster.masterPorts().forEach((port) -> cluster.run(port, (redis) -> redis.flushall()));
	}

	private RoutingFixture client() {
		return client("spring.data.redis.lettuce.cluster.refresh.adaptive=true",
				"spring.data.redis.lettuce.cluster.refresh.period=1s");
	}

	private RoutingFixture client(String... refresh) {
		String nodes = cluster.ports().stream().map((port) -> "127.0.0.1:" + port).collect(Collectors.joining(","));
		List<String> properties = new ArrayList<>(List.of("spring.data.redis.cluster.nodes=" + nodes,
				"spring.data.redis.timeout=2s", "spring.data.redis.connect-timeout=500ms",
				"spring.data.redis.client-name=client-" + this.clients.size()));
		properties.addAll(List.of(refresh));
		RoutingFixture client = new RoutingFixture(() -> boot.create(properties.toArray(String[]::new)),
				(routing) -> routing.setCommandTimeout(COMMAND_TIMEOUT));
		this.clients.add(client);
		return client;
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
		variants.put("adaptive + period 1s", client());
		variants.put("period 1s", client("spring.data.redis.lettuce.cluster.refresh.period=1s"));
		variants.put("adaptive", client("spring.data.redis.lettuce.cluster.refresh.adaptive=true"));
		variants.put("none", client(new String[0]));
		String uid = "user-1";
		RoutingFixture any = variants.get("none");
		int victim = new FailingCluster().masterOf(any.driver.keys().link(FailoverScenarios.NS, uid));
		cluster.awaitReplicasInSync();
		new FailingCluster().kill(victim);
		long killed = System.nanoTime();
		await("a replica to take over").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> cluster.portOfSlot(SlotHash.getSlot(any.driver.keys().link(FailoverScenarios.NS, uid))) != victim);
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
				+ "(ms after the promotion, watched for 5 s) per spring.data.redis.lettuce.cluster.refresh setting: %s%n",
				TimeUnit.NANOSECONDS.toMillis(promoted - killed), variants.keySet()
					.stream()
					.map((name) -> name + " -> " + resumedAfterPromotion.getOrDefault(name, -1L))
					.collect(Collectors.joining(", ")));
		assertThat(resumedAfterPromotion).as("resumed within 5 s of the promotion")
			.containsOnlyKeys("adaptive + period 1s", "period 1s");
		assertThat(resumedAfterPromotion.values()).allMatch((millis) -> millis <= 2500);
	}

	@Test
	void aMasterKilledUnderLoadLosesNoLinkAndOperationsResumeAfterThePromotion() throws Exception {
		this.scenarios.masterKilledUnderLoad();
	}

	@Test
	void aLinkTheFailoverLostIsNotSplitBetweenClients() {
		this.scenarios.linkLostInTheFailoverIsNotSplit();
	}

	private final class FailingCluster implements FailoverScenarios.FailingRedis {

		@Override
		public int masterOf(byte[] key) {
			return cluster.portOfSlot(SlotHash.getSlot(key));
		}

		@Override
		public void kill(int port) {
			cluster.kill(port);
			ClusterFailoverTest.this.killed.add(port);
		}

		@Override
		public void awaitReplicasInSync() {
			cluster.awaitReplicasInSync();
		}

		@Override
		public <T> T run(int port, Function<RedisCommands<String, String>, T> command) {
			return cluster.run(port, command);
		}

	}

}
