package io.github.rpcclient.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.RedisClusterProcesses;
import io.github.rpcclient.test.RedisClusterProcesses.CommandStats;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The route store on a real Redis Cluster of three masters (redis-server processes started by the
 * test, shared by the class): the link race ends with one pod per user, batch lookups take at
 * most one script per hash slot on each node (counted with {@code INFO commandstats}), and
 * relinks reach every client.
 */
class ClusterRoutingTest {

	private static final String NS = RoutingFixture.NS;

	private static final String SVC = "game";

	private static RedisClusterProcesses cluster;

	private final List<RoutingFixture> clients = new ArrayList<>();

	@BeforeAll
	static void startCluster() {
		cluster = RedisClusterProcesses.start();
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(RoutingFixture::close);
		cluster.ports().forEach((port) -> cluster.run(port, (redis) -> redis.flushall()));
	}

	private RoutingFixture client() {
		RoutingFixture client = new RoutingFixture(cluster::newConnectionFactory,
				(properties) -> properties.setCommandTimeout(java.time.Duration.ofSeconds(5)));
		this.clients.add(client);
		return client;
	}

	@Test
	void fourClientsTimesThirtyTwoThreadsAgreeOnOnePodPerUser() throws Exception {
		for (int i = 0; i < 4; i++) {
			client();
		}
		for (int pod = 1; pod <= 3; pod++) {
			this.clients.get(0).publish(SVC, pod, 0);
		}
		this.clients.forEach((client) -> client.registry.refresh());
		List<String> uids = IntStream.range(0, 1000).mapToObj((i) -> "user-" + i).toList();
		Map<String, Set<Integer>> returned = new ConcurrentHashMap<>();
		ExecutorService pool = Executors.newFixedThreadPool(4 * 32);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> runs = new ArrayList<>();
		try {
			for (RoutingFixture client : this.clients) {
				for (int t = 0; t < 32; t++) {
					List<String> order = new ArrayList<>(uids);
					Collections.shuffle(order);
					runs.add(pool.submit(() -> {
						start.await();
						for (String uid : order) {
							int pod = client.driver.computeLinkedPod(NS, uid, SVC).getAsInt();
							returned.computeIfAbsent(uid, (key) -> ConcurrentHashMap.newKeySet()).add(pod);
						}
						return null;
					}));
				}
			}
			long began = System.nanoTime();
			start.countDown();
			for (Future<?> run : runs) {
				run.get(120, TimeUnit.SECONDS);
			}
			System.out.printf("Cluster race: %d computations in %d ms%n", 4 * 32 * 1000,
					TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
		}
		finally {
			pool.shutdownNow();
		}
		for (String uid : uids) {
			assertThat(returned.get(uid)).as("pods returned for %s", uid).hasSize(1);
			assertThat(this.clients.get(3).driver.getLinkedPodNotCache(NS, uid, SVC)).as("pod stored for %s", uid)
				.hasValue(returned.get(uid).iterator().next());
		}
	}

	@Test
	void aBatchOfTenThousandUsersTakesAtMostOneScriptPerSlotOnEachNode() {
		RoutingFixture writer = client();
		writer.publish(SVC, 1, 0);
		writer.publish(SVC, 2, 0);
		List<String> uids = IntStream.range(0, 10_000).mapToObj((i) -> "user-" + i).toList();
		for (int i = 0; i < uids.size(); i += 2) {
			writer.driver.setLinkedPodIfAbsent(NS, uids.get(i), SVC, 1 + (i / 2) % 2);
		}
		RoutingFixture reader = client();
		int[] owners = cluster.slotOwners();
		Map<Integer, Set<Integer>> slotsByNode = new HashMap<>();
		Map<Integer, Long> uidsByNode = new HashMap<>();
		for (String uid : uids) {
			int slot = SlotHash.getSlot(reader.driver.keys().link(NS, uid));
			slotsByNode.computeIfAbsent(owners[slot], (port) -> new HashSet<>()).add(slot);
			uidsByNode.merge(owners[slot], 1L, Long::sum);
		}
		cluster.ports().forEach((port) -> cluster.run(port, (redis) -> redis.scriptFlush()));

		// nodes that do not know the script yet (as after a restart or a failover): EVALSHA, then EVAL
		Map<Integer, CommandStats> cold = cluster.commandStats();
		Map<Integer, List<String>> byPod = reader.driver.batchGetLinkedPod(NS, uids, SVC);
		Map<Integer, CommandStats> before = cluster.commandStats();
		assertThat(byPod.get(1)).hasSize(2500).contains("user-0");
		// nodes that know it
		byPod = reader.driver.batchGetLinkedPod(NS, uids, SVC);
		Map<Integer, CommandStats> after = cluster.commandStats();

		assertThat(byPod).containsOnlyKeys(1, 2);
		assertThat(byPod.get(1)).hasSize(2500).contains("user-0");
		assertThat(byPod.get(2)).hasSize(2500).contains("user-2");
		for (int port : cluster.ports()) {
			int slots = slotsByNode.get(port).size();
			long evalsha = after.get(port).callsSince(before.get(port), "evalsha");
			long eval = after.get(port).callsSince(before.get(port), "eval");
			long hgets = after.get(port).callsSince(before.get(port), "hget");
			// what clients sent: every command processed but the probes' own and the HGETs run inside scripts
			long sent = after.get(port).processedSince(before.get(port)) - hgets;
			long coldScripts = before.get(port).callsSince(cold.get(port), "evalsha")
					+ before.get(port).callsSince(cold.get(port), "eval");
			System.out.printf("Cluster batch of 10,000 uids, node %d: %d uids in %d slots; %d EVALSHA + %d EVAL, "
					+ "%d commands from clients in all, %d rejected (%d HGETs inside the scripts); "
					+ "a node without the script: %d scripts%n", port, uidsByNode.get(port), slots, evalsha, eval, sent,
					after.get(port).rejectedSince(before.get(port)), hgets, coldScripts);
			assertThat(evalsha + eval).as("scripts on node %d", port).isLessThanOrEqualTo(slots);
			assertThat(sent).as("commands from clients on node %d", port).isLessThanOrEqualTo(slots);
			assertThat(after.get(port).rejectedSince(before.get(port))).as("rejected on node %d", port).isZero();
			assertThat(hgets).as("HGETs on node %d", port).isEqualTo(uidsByNode.get(port));
			assertThat(coldScripts).as("scripts on node %d without the script", port).isLessThanOrEqualTo(2L * slots);
		}
	}

	@Test
	void aLinkIsNotHeldUpByTheNodeOfItsPodsLinkCounts() throws Exception {
		RoutingFixture client = client();
		client.publish(SVC, 1, 0);
		RouteKeys keys = client.driver.keys();
		int countsNode = cluster.portOfSlot(SlotHash.getSlot(keys.podLinks(NS, SVC)));
		int[] owners = cluster.slotOwners();
		String uid = IntStream.range(0, 100)
			.mapToObj((i) -> "user-" + i)
			.filter((candidate) -> owners[SlotHash.getSlot(keys.link(NS, candidate))] != countsNode)
			.findFirst()
			.orElseThrow();
		CompletableFuture<String> sleeping = CompletableFuture.supplyAsync(() -> cluster.run(countsNode,
				(redis) -> redis.dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
						new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add(2))));
		try {
			org.awaitility.Awaitility.await("the counts' node busy with DEBUG SLEEP")
				.atMost(java.time.Duration.ofSeconds(2))
				.until(() -> !EmbeddedRedis.answersWithin(countsNode, java.time.Duration.ofMillis(50)));
			long start = System.nanoTime();
			assertThat(client.driver.computeLinkedPod(NS, uid, SVC)).hasValue(1);
			long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			System.out.printf("Cluster: a link while the node of the link counts sleeps took %d ms%n", took);
			assertThat(took).as("link while the counts' node sleeps (ms)").isLessThan(500);
		}
		finally {
			sleeping.get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void aRelinkReachesEveryClientOnTheCluster() {
		RoutingFixture.assertRelinkReaches(client(), client(), SVC);
	}

}
