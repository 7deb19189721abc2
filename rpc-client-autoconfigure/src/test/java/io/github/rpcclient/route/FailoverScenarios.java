package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.github.rpcclient.test.EmbeddedRedis;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.KillArgs;
import io.lettuce.core.api.sync.RedisCommands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis failovers under the route store, run alike on a Redis Cluster and on Sentinel:
 * <ul>
 * <li>a master killed with SIGKILL under load: operations that need it fail within
 * {@code command-timeout} (+ a margin) and resume after a replica's promotion, no link made
 * before the load is lost or moved, and afterwards every client agrees with Redis on every user
 * (links acknowledged just before the kill may be lost: replication is asynchronous; they are
 * counted);</li>
 * <li>a link acknowledged just before the kill that the failover loses for certain (the master's
 * replica is disconnected first): the client that made it must not keep routing the user to its
 * pod while another client links the user elsewhere.</li>
 * </ul>
 */
final class FailoverScenarios {

	static final String NS = RoutingFixture.NS;

	static final String SVC = "game";

	private final String name;

	private final FailingRedis redis;

	private final Supplier<RoutingFixture> clients;

	private final Duration commandTimeout;

	private final Duration margin;

	/**
	 * @param name what runs them, for the figures printed
	 * @param redis the Redis that fails over
	 * @param clients creates a client instance (with {@code command-timeout} set), closed by the caller
	 * @param commandTimeout the clients' {@code command-timeout}
	 * @param margin what an operation may take beyond it on a loaded machine
	 */
	FailoverScenarios(String name, FailingRedis redis, Supplier<RoutingFixture> clients, Duration commandTimeout,
			Duration margin) {
		this.name = name;
		this.redis = redis;
		this.clients = clients;
		this.commandTimeout = commandTimeout;
		this.margin = margin;
	}

	/**
	 * Kills the master holding the pod registry under load (two clients, two threads each).
	 */
	void masterKilledUnderLoad() throws Exception {
		RoutingFixture pods = this.clients.get();
		for (int index = 1; index <= 3; index++) {
			pods.publish(SVC, index, 0).start();
		}
		RoutingFixture a = this.clients.get();
		RoutingFixture b = this.clients.get();
		a.registry.start();
		b.registry.start();
		List<String> uids = IntStream.range(0, 300).mapToObj((i) -> "user-" + i).toList();
		Map<String, Integer> linked = new HashMap<>();
		for (String uid : uids) {
			linked.put(uid, a.driver.computeLinkedPod(NS, uid, SVC).getAsInt());
			assertThat(b.driver.computeLinkedPod(NS, uid, SVC)).hasValue(linked.get(uid));
		}
		this.redis.awaitReplicasInSync();
		RouteKeys keys = a.driver.keys();
		byte[] podsKey = keys.pods(NS, SVC);
		int victim = this.redis.masterOf(podsKey);
		String onVictim = uids.stream()
			.filter((uid) -> this.redis.masterOf(keys.link(NS, uid)) == victim)
			.findFirst()
			.orElseThrow();

		long killed;
		long promoted;
		long resumed;
		FailoverLoad load = new FailoverLoad(SVC, List.of(a, b), linked).start();
		try {
			await("load under way").atMost(Duration.ofSeconds(10)).until(() -> load.successes.get() > 1000);
			killed = System.nanoTime();
			this.redis.kill(victim);
			promoted = awaitPromotion(podsKey, victim);
			await("both clients to reach the new master").atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> reads(a, onVictim) && reads(b, onVictim));
			resumed = System.nanoTime();
			// keep the load on for a while after the promotion (a duration under test, not a synchronisation)
			await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
		}
		finally {
			load.close();
		}

		RoutingFixture c = this.clients.get();
		Map<String, Integer> lost = new HashMap<>();
		List<String> moved = new ArrayList<>();
		List<Long> lostAcknowledged = new ArrayList<>();
		load.acknowledged.forEach((uid, ack) -> {
			OptionalInt stored = c.driver.getLinkedPodNotCache(NS, uid, SVC);
			if (stored.isEmpty()) {
				lost.put(uid, ack.pod());
				lostAcknowledged.add(millis(ack.atNanos() - killed));
			}
			else if (stored.getAsInt() != ack.pod()) {
				moved.add(uid + ": told " + ack.pod() + ", Redis has " + stored.getAsInt());
			}
		});
		System.out.printf("%s failover under load: replica promoted %d ms after the kill, both clients read the "
				+ "failed-over keys again %d ms after the kill; %d operations failed (slowest %d ms, last one started "
				+ "%d ms after the kill), %d succeeded (slowest %d ms); %d users linked under load, %d of them lost "
				+ "(acknowledged at %s ms relative to the kill), %d moved%n", this.name, millis(promoted - killed),
				millis(resumed - killed), load.failures.size(), load.slowestFailureMillis(),
				millis(load.lastFailureStart() - killed), load.successes.get(), load.slowestSuccessMillis(),
				load.acknowledged.size(), lost.size(), lostAcknowledged, moved.size());
		load.failures.stream()
			.collect(Collectors.groupingBy((failure) -> failure.operation() + ": " + failure.error()
				.replaceAll("[0-9]+", "#")
				.substring(0, Math.min(100, failure.error().length())), Collectors.counting()))
			.forEach((kind, count) -> System.out.printf("  %5d x %s%n", count, kind));

		assertThat(load.failures).as("operations that needed the killed master").isNotEmpty();
		long bound = this.commandTimeout.plus(this.margin).toMillis();
		assertThat(load.slowestFailureMillis()).as("slowest failed operation (ms)").isLessThanOrEqualTo(bound);
		assertThat(load.slowestSuccessMillis()).as("slowest successful operation (ms)").isLessThanOrEqualTo(bound);
		assertThat(load.contradictions).as("users routed or read against their link").isEmpty();
		assertThat(moved).as("links acknowledged under load that Redis holds with another pod").isEmpty();
		for (String uid : uids) {
			assertThat(c.driver.getLinkedPodNotCache(NS, uid, SVC)).as("link of %s made before the load", uid)
				.hasValue(linked.get(uid));
		}
		Map<String, Integer> expected = new HashMap<>(linked);
		load.acknowledged.forEach((uid, ack) -> expected.put(uid, ack.pod()));
		List<String> disagreements = new ArrayList<>();
		expected.forEach((uid, pod) -> {
			int first = a.driver.computeLinkedPod(NS, uid, SVC).getAsInt();
			int second = b.driver.computeLinkedPod(NS, uid, SVC).getAsInt();
			int stored = c.driver.getLinkedPodNotCache(NS, uid, SVC).getAsInt();
			if (first != second || second != stored || (!lost.containsKey(uid) && stored != pod)) {
				disagreements.add(uid + ": A " + first + ", B " + second + ", Redis " + stored + ", acknowledged " + pod);
			}
		});
		assertThat(disagreements).as("users the clients and Redis disagree on after the failover").isEmpty();
	}

	/**
	 * Client A links a user on a master whose replica was just disconnected, and the master is
	 * killed: the promoted replica never got the link. After the promotion, the user's pod is
	 * drained and client B links the user to another pod; client A must follow.
	 */
	void linkLostInTheFailoverIsNotSplit() {
		RoutingFixture pods = this.clients.get();
		PodHeartbeatPublisher first = pods.publish(SVC, 1, 0);
		PodHeartbeatPublisher second = pods.publish(SVC, 2, 0);
		first.start();
		second.start();
		RoutingFixture a = this.clients.get();
		RoutingFixture b = this.clients.get();
		a.registry.start();
		b.registry.start();
		RouteKeys keys = a.driver.keys();
		byte[] podsKey = keys.pods(NS, SVC);
		int podsMaster = this.redis.masterOf(podsKey);
		// on a Cluster, a user on another master than the registry's (pods can change during the failover) and than
		// A's link-change subscription (a failover of that node would tell A by a re-subscription)
		String subscriber = a.connectionFactory.getClientName();
		List<String> candidates = IntStream.range(0, 100).mapToObj((i) -> "lost-" + i).toList();
		String uid = candidates.stream().filter((candidate) -> {
			int master = this.redis.masterOf(keys.link(NS, candidate));
			return master != podsMaster && !this.redis.holdsSubscription(master, subscriber);
		}).findFirst().orElse(candidates.get(0));
		int victim = this.redis.masterOf(keys.link(NS, uid));
		this.redis.awaitReplicasInSync();
		this.redis.cutReplicas(victim);
		assertThat(this.redis.replicasConnected(victim)).as("replicas of the master to kill").isFalse();
		int pod = a.driver.computeLinkedPod(NS, uid, SVC).getAsInt();
		long killed = System.nanoTime();
		this.redis.kill(victim);
		long promoted = awaitPromotion(keys.link(NS, uid), victim);
		String user = uid;
		await("B to read the failed-over keys").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> reads(b, user));
		assertThat(b.driver.getLinkedPodNotCache(NS, uid, SVC)).as("the link the failover lost").isEmpty();
		PodHeartbeatPublisher drained = (pod == 1) ? first : second;
		await("the pod to drain").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
			try {
				drained.setState(PodState.DRAINING);
				b.registry.refresh();
				return b.registry.stateOf(NS, SVC, drained == first ? 1 : 2) == PodState.DRAINING;
			}
			catch (RuntimeException ex) {
				return false;
			}
		});
		int relinked = b.driver.computeLinkedPod(NS, uid, SVC).getAsInt();
		assertThat(relinked).as("B's link after the failover").isNotEqualTo(pod);
		long relinkedAt = System.nanoTime();
		await("A to follow B").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> a.driver.computeLinkedPod(NS, user, SVC).getAsInt() == relinked);
		System.out.printf("%s link lost in a failover: replica promoted %d ms after the kill; client A routed the "
				+ "user to the old pod for %d ms after client B relinked it (%d ms after the promotion)%n", this.name,
				millis(promoted - killed), millis(System.nanoTime() - relinkedAt), millis(relinkedAt - promoted));
		assertThat(b.driver.getLinkedPodNotCache(NS, uid, SVC)).hasValue(relinked);
	}

	private long awaitPromotion(byte[] key, int victim) {
		await("a replica to take over from the killed master").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> {
				try {
					int master = this.redis.masterOf(key);
					return master != victim && master != 0;
				}
				catch (RuntimeException ex) {
					return false;
				}
			});
		return System.nanoTime();
	}

	private static boolean reads(RoutingFixture client, String uid) {
		try {
			client.driver.getLinkedPodNotCache(NS, uid, SVC);
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static long millis(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(nanos);
	}

	/**
	 * A Redis that fails over: real processes, a replica per master.
	 */
	interface FailingRedis {

		/** @return the port of the master holding a key now */
		int masterOf(byte[] key);

		/** Kills a node with SIGKILL. */
		void kill(int port);

		/** Waits until every master's replica has all its writes. */
		void awaitReplicasInSync();

		/** Runs a command on a node. */
		<T> T run(int port, Function<RedisCommands<String, String>, T> command);

		/** Disconnects a master's replicas and keeps them out (they authenticate as the replication user). */
		default void cutReplicas(int master) {
			run(master, (redis) -> {
				redis.aclSetuser(EmbeddedRedis.REPLICATION_USER, AclSetuserArgs.Builder.off());
				return redis.clientKill(KillArgs.Builder.typeSlave());
			});
		}

		/** @return whether a node holds a pub/sub subscription of a client (its link-change subscription) */
		default boolean holdsSubscription(int port, String clientName) {
			return run(port, RedisCommands::clientList).lines()
				.anyMatch((client) -> client.contains(" name=" + clientName + " ") && client.contains(" sub=1 "));
		}

		/** @return whether a master has a replica connected */
		default boolean replicasConnected(int master) {
			return !run(master, (redis) -> redis.info("replication")).contains("connected_slaves:0");
		}

	}

}
