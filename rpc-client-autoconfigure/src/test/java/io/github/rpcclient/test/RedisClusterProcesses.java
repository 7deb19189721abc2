package io.github.rpcclient.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster of three masters for tests: three redis-server processes (the binary
 * embedded-redis bundles) with {@code --cluster-enabled yes} on free loopback ports, their slots
 * assigned with {@code CLUSTER ADDSLOTS} and joined with {@code CLUSTER MEET}. Keeps nothing on
 * disk beyond a temporary directory for the node files.
 */
public final class RedisClusterProcesses implements AutoCloseable {

	private static final int SLOTS = 16384;

	private final List<Integer> ports = new ArrayList<>();

	private final List<Process> processes = new ArrayList<>();

	private final File directory;

	private final List<ClientResources> clientResources = new CopyOnWriteArrayList<>();

	private final int masters;

	private final List<List<String>> arguments = new ArrayList<>();

	private RedisClusterProcesses(int masters, boolean replicas, Duration nodeTimeout) {
		this.masters = masters;
		try {
			this.directory = Files.createTempDirectory("redis-cluster").toFile();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		int nodes = replicas ? 2 * masters : masters;
		for (int i = 0; i < nodes; i++) {
			this.ports.add(0);
			this.arguments.add(List.of());
			this.processes.add(null);
			startNode(i, nodeTimeout);
		}
		int per = SLOTS / masters;
		for (int i = 0; i < masters; i++) {
			int from = i * per;
			int to = (i == masters - 1) ? SLOTS - 1 : (i + 1) * per - 1;
			int[] slots = new int[to - from + 1];
			for (int slot = from; slot <= to; slot++) {
				slots[slot - from] = slot;
			}
			run(this.ports.get(i), (redis) -> redis.clusterAddSlots(slots));
		}
		for (int i = 1; i < nodes; i++) {
			int port = this.ports.get(i);
			run(this.ports.get(0), (redis) -> redis.clusterMeet("127.0.0.1", port));
		}
		await("every node to know every other").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.ports.stream().allMatch((port) -> run(port, RedisCommands::clusterNodes).lines().count() == nodes));
		for (int i = masters; i < nodes; i++) {
			String master = run(this.ports.get(i - masters), RedisCommands::clusterMyId);
			run(this.ports.get(i), (redis) -> redis.clusterReplicate(master));
		}
		await("cluster state ok").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.ports.stream()
				.allMatch((port) -> run(port, RedisCommands::clusterInfo).contains("cluster_state:ok")));
		if (replicas) {
			awaitReplicasInSync();
		}
	}

	/**
	 * Starts one node on free ports, again on other ports if it exits at start-up: a free port can
	 * be taken by another process before the node binds it, and a node also binds its cluster bus
	 * port, 10000 higher (Redis 6.2 has no {@code cluster-port}).
	 */
	private void startNode(int i, Duration nodeTimeout) {
		for (int tries = 1;; tries++) {
			int port = freeClusterPort();
			List<String> arguments = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
					"--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
					"--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()), "--cluster-replica-validity-factor",
					"0", "--save", "", "--appendonly", "no", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay",
					"0"));
			arguments.addAll(EmbeddedRedis.replicationUser());
			this.ports.set(i, port);
			this.arguments.set(i, arguments);
			this.processes.set(i, EmbeddedRedis.launch(arguments, this.directory));
			try {
				EmbeddedRedis.awaitPort(port, this.processes.get(i));
				return;
			}
			catch (IllegalStateException ex) {
				EmbeddedRedis.kill(this.processes.get(i));
				if (tries == 3) {
					throw ex;
				}
			}
		}
	}

	/** @return a free port whose cluster bus port (10000 higher) is free too */
	private static int freeClusterPort() {
		while (true) {
			int port = EmbeddedRedis.freePort();
			if (port + 10000 > 65535) {
				continue;
			}
			try (ServerSocket bus = new ServerSocket(port + 10000, 1, InetAddress.getLoopbackAddress())) {
				return port;
			}
			catch (IOException ex) {
				// the bus port is taken: another
			}
		}
	}

	/** Starts a cluster of three masters. */
	public static RedisClusterProcesses start() {
		return new RedisClusterProcesses(3, false, Duration.ofSeconds(15));
	}

	/**
	 * Starts a cluster of three masters with one replica each, whose replicas take over a master
	 * that has not answered for {@code nodeTimeout} ({@code cluster-node-timeout}).
	 * @param nodeTimeout how long a master may be unreachable before a replica takes over
	 */
	public static RedisClusterProcesses startWithReplicas(Duration nodeTimeout) {
		return new RedisClusterProcesses(3, true, nodeTimeout);
	}

	/** Waits (at most 20 s) until every master has a replica whose offset is the master's. */
	public void awaitReplicasInSync() {
		try {
			await("replicas in sync").atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> masterPorts().stream().allMatch(this::replicaInSync));
		}
		catch (RuntimeException ex) {
			for (int port : livePorts()) {
				System.out.printf("Node %d:%n%s%n%s%n", port, run(port, RedisCommands::clusterNodes),
						run(port, (redis) -> redis.info("replication")));
			}
			throw ex;
		}
	}

	private boolean replicaInSync(int master) {
		return replicaInSync(run(master, (redis) -> redis.info("replication")));
	}

	/**
	 * @param replication a master's {@code INFO replication}
	 * @return whether it has an online replica whose offset is the master's
	 */
	static boolean replicaInSync(String replication) {
		long offset = -1;
		for (String line : replication.split("\\r?\\n")) {
			if (line.startsWith("master_repl_offset:")) {
				offset = Long.parseLong(line.substring("master_repl_offset:".length()).trim());
			}
		}
		for (String line : replication.split("\\r?\\n")) {
			if (line.matches("slave\\d+:.*state=online.*") && line.contains("offset=" + offset + ",")) {
				return true;
			}
		}
		return false;
	}

	/** @return the ports of the nodes that are masters now, in the order of the slots they serve */
	public List<Integer> masterPorts() {
		int[] owners = slotOwners();
		List<Integer> masters = new ArrayList<>();
		for (int slot = 0; slot < SLOTS; slot += SLOTS / this.masters) {
			masters.add(owners[slot]);
		}
		return masters;
	}

	public List<Integer> ports() {
		return this.ports;
	}

	/** @return a new, started cluster-aware Lettuce connection factory (close it with destroy()) */
	public LettuceConnectionFactory newConnectionFactory() {
		ClientResources resources = ClientResources.builder()
			.reconnectDelay(Delay.constant(Duration.ofMillis(100)))
			.build();
		this.clientResources.add(resources);
		RedisClusterConfiguration cluster = new RedisClusterConfiguration(
				this.ports.stream().map((port) -> "127.0.0.1:" + port).toList());
		LettuceConnectionFactory factory = new LettuceConnectionFactory(cluster,
				LettuceClientConfiguration.builder()
					.commandTimeout(Duration.ofSeconds(2))
					.clientResources(resources)
					.build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Runs a command on one node.
	 * @param port the node's port
	 * @param command what to do
	 * @param <T> the result
	 * @return what the command returned
	 */
	public <T> T run(int port, java.util.function.Function<RedisCommands<String, String>, T> command) {
		return EmbeddedRedis.run(port, command);
	}

	/**
	 * @return the command counters of every live node (port &rarr; counters), each read with one
	 * {@code INFO all} on a connection of its own
	 */
	public Map<Integer, CommandStats> commandStats() {
		Map<Integer, CommandStats> stats = new HashMap<>();
		for (int port : livePorts()) {
			stats.put(port, CommandStats.parse(run(port, (redis) -> redis.info("all"))));
		}
		return stats;
	}

	/**
	 * One node's command counters: from {@code INFO commandstats} the {@code calls} (executed,
	 * failed ones included) and {@code rejected_calls} (refused before running: MOVED, CLUSTERDOWN,
	 * unknown command) per command name, and {@code total_commands_processed} from {@code INFO
	 * stats} (which counts executed commands, not the INFO being answered).
	 *
	 * @param calls executed calls by lower-case command name
	 * @param rejected rejected calls by lower-case command name
	 * @param processed {@code total_commands_processed}
	 */
	public record CommandStats(Map<String, Long> calls, Map<String, Long> rejected, long processed) {

		/** Commands a probe sends itself: the handshake, client setup and the INFO. */
		private static final java.util.Set<String> PROBE = java.util.Set.of("info", "hello", "client", "auth", "ping",
				"command");

		static CommandStats parse(String info) {
			Map<String, Long> calls = new HashMap<>();
			Map<String, Long> rejected = new HashMap<>();
			long processed = -1;
			for (String line : info.split("\r?\n")) {
				if (line.startsWith("total_commands_processed:")) {
					processed = Long.parseLong(line.substring("total_commands_processed:".length()).trim());
				}
				if (!line.startsWith("cmdstat_")) {
					continue;
				}
				String name = line.substring("cmdstat_".length(), line.indexOf(':'));
				for (String stat : line.substring(line.indexOf(':') + 1).split(",")) {
					if (stat.startsWith("calls=")) {
						calls.put(name, Long.parseLong(stat.substring("calls=".length())));
					}
					else if (stat.startsWith("rejected_calls=")) {
						rejected.put(name, Long.parseLong(stat.substring("rejected_calls=".length())));
					}
				}
			}
			return new CommandStats(calls, rejected, processed);
		}

		/** @return executed calls of a command since an earlier snapshot */
		public long callsSince(CommandStats before, String command) {
			return this.calls.getOrDefault(command, 0L) - before.calls.getOrDefault(command, 0L);
		}

		/** @return rejected calls of every command since an earlier snapshot */
		public long rejectedSince(CommandStats before) {
			return this.rejected.values().stream().mapToLong(Long::longValue).sum()
					- before.rejected.values().stream().mapToLong(Long::longValue).sum();
		}

		/**
		 * @return commands processed since an earlier snapshot, leaving out the probes' own
		 * (handshake, client setup, INFO)
		 */
		public long processedSince(CommandStats before) {
			long probes = PROBE.stream().mapToLong((command) -> callsSince(before, command)).sum();
			return this.processed - before.processed - probes;
		}

	}

	/** @return the port of the master serving a slot now, as a live node reports it */
	public int portOfSlot(int slot) {
		return slotOwners()[slot];
	}

	/** @return the port of the master serving each slot now (by slot), as a live node reports it */
	public int[] slotOwners() {
		int[] owners = new int[SLOTS];
		String nodes = run(livePorts().get(0), RedisCommands::clusterNodes);
		for (String node : nodes.split("\n")) {
			String[] fields = node.trim().split(" ");
			if (fields.length < 9 || !fields[2].contains("master")) {
				continue;
			}
			int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
			for (int f = 8; f < fields.length; f++) {
				if (fields[f].startsWith("[")) {
					continue; // a slot being migrated
				}
				String[] range = fields[f].split("-");
				for (int slot = Integer.parseInt(range[0]); slot <= Integer.parseInt(range[range.length - 1]); slot++) {
					owners[slot] = port;
				}
			}
		}
		return owners;
	}

	/** @return the ports of the nodes whose process runs */
	public List<Integer> livePorts() {
		List<Integer> live = new ArrayList<>();
		for (int i = 0; i < this.ports.size(); i++) {
			if (this.processes.get(i).isAlive()) {
				live.add(this.ports.get(i));
			}
		}
		return live;
	}

	/**
	 * Kills one node with SIGKILL ({@code kill -9}), as a crash would.
	 * @param port the node's port
	 */
	public void kill(int port) {
		EmbeddedRedis.kill(this.processes.get(this.ports.indexOf(port)));
	}

	/**
	 * Restarts a killed node on its port with its node file: it rejoins the cluster, as a replica
	 * if another node took its slots over meanwhile.
	 * @param port the node's port
	 */
	public void restart(int port) {
		int i = this.ports.indexOf(port);
		this.processes.set(i, EmbeddedRedis.launch(this.arguments.get(i), this.directory));
		EmbeddedRedis.awaitPort(port, this.processes.get(i));
	}

	@Override
	public void close() {
		for (Process process : this.processes) {
			process.destroyForcibly();
		}
		for (Process process : this.processes) {
			try {
				process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.clientResources.forEach((resources) -> resources.shutdown(0, 1, TimeUnit.SECONDS));
		File[] files = this.directory.listFiles();
		if (files != null) {
			for (File file : files) {
				file.delete();
			}
		}
		this.directory.delete();
	}

}
