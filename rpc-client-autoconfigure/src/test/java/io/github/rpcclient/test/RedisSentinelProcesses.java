package io.github.rpcclient.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Sentinel setup for tests: a master, a replica and three sentinels (redis-server
 * processes of the binary embedded-redis bundles, the sentinels run with {@code --sentinel}) on
 * free loopback ports, monitoring the master as {@value #MASTER} with a quorum of two and
 * {@code down-after-milliseconds} of 1 s. Its {@code failover-timeout} is 3 s: a vote the
 * sentinels split is tried again after twice that, not after the 20 s the default of 10 s would
 * make (which, after one split vote on a loaded machine, outlasted a test's 30 s wait). Keeps nothing on disk beyond a temporary directory for
 * the sentinels' configuration files.
 */
public final class RedisSentinelProcesses implements AutoCloseable {

	/** The name the sentinels monitor the master under. */
	public static final String MASTER = "mymaster";

	private final File directory;

	/** Data nodes by port (the master and the replica, whichever is which now). */
	private final Map<Integer, Process> nodes = new java.util.concurrent.ConcurrentHashMap<>();

	private final List<Integer> sentinelPorts = new ArrayList<>();

	private final List<Process> sentinels = new ArrayList<>();

	private RedisSentinelProcesses() {
		try {
			this.directory = Files.createTempDirectory("redis-sentinel").toFile();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		int master = EmbeddedRedis.freePort();
		int replica = EmbeddedRedis.freePort();
		startNode(master, null);
		startNode(replica, master);
		for (int i = 0; i < 3; i++) {
			int port = EmbeddedRedis.freePort();
			File config = new File(this.directory, "sentinel-" + port + ".conf");
			try {
				Files.writeString(config.toPath(), String.join("\n", "port " + port, "bind 127.0.0.1",
						"sentinel monitor " + MASTER + " 127.0.0.1 " + master + " 2",
						"sentinel down-after-milliseconds " + MASTER + " 1000",
						"sentinel failover-timeout " + MASTER + " 3000", "sentinel parallel-syncs " + MASTER + " 1", ""),
						StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.sentinelPorts.add(port);
			this.sentinels.add(EmbeddedRedis.launch(List.of(config.getAbsolutePath(), "--sentinel"), this.directory));
		}
		for (int i = 0; i < 3; i++) {
			EmbeddedRedis.awaitPort(this.sentinelPorts.get(i), this.sentinels.get(i));
		}
		await("sentinels to know the replica and each other").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.sentinelPorts.stream().allMatch((port) -> {
				Map<String, String> state = sentinel(port, (sentinel) -> sentinel.master(MASTER));
				return "1".equals(state.get("num-slaves")) && "2".equals(state.get("num-other-sentinels"));
			}));
		awaitReplicaInSync();
	}

	/** Starts a master, a replica and three sentinels. */
	public static RedisSentinelProcesses start() {
		return new RedisSentinelProcesses();
	}

	private void startNode(int port, Integer masterPort) {
		List<String> arguments = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"));
		arguments.addAll(EmbeddedRedis.replicationUser());
		if (masterPort != null) {
			arguments.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
		}
		Process process = EmbeddedRedis.launch(arguments, this.directory);
		this.nodes.put(port, process);
		EmbeddedRedis.awaitPort(port, process);
	}

	/** @return Spring Boot properties for the sentinels ({@code spring.data.redis.sentinel.*}) */
	public String[] springProperties() {
		return new String[] { "spring.data.redis.sentinel.master=" + MASTER,
				"spring.data.redis.sentinel.nodes=" + this.sentinelPorts.stream()
					.map((port) -> "127.0.0.1:" + port)
					.collect(Collectors.joining(",")),
				"spring.data.redis.timeout=2s", "spring.data.redis.connect-timeout=500ms" };
	}

	/** @return the port of the master, as the first live sentinel tells it */
	public int masterPort() {
		return sentinel(this.sentinelPorts.get(0),
				(sentinel) -> ((java.net.InetSocketAddress) sentinel.getMasterAddrByName(MASTER)).getPort());
	}

	/** @return the ports of the data nodes whose process runs */
	public List<Integer> liveNodes() {
		return this.nodes.entrySet().stream().filter((node) -> node.getValue().isAlive()).map(Map.Entry::getKey).toList();
	}

	/** Waits (at most 20 s) until a replica's offset is the master's. */
	public void awaitReplicaInSync() {
		await("replica in sync").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> RedisClusterProcesses.replicaInSync(run(masterPort(), (redis) -> redis.info("replication"))));
	}

	/**
	 * Kills one data node with SIGKILL ({@code kill -9}), as a crash would.
	 * @param port its port
	 */
	public void kill(int port) {
		EmbeddedRedis.kill(this.nodes.get(port));
	}

	/**
	 * Restarts a killed data node, empty, as a replica of the current master (as an operator
	 * brings a failed master back).
	 * @param port its port
	 */
	public void restartAsReplica(int port) {
		startNode(port, masterPort());
	}

	/**
	 * Runs a command on one data node.
	 * @param port its port
	 * @param command what to do
	 * @param <T> the result
	 * @return what the command returned
	 */
	public <T> T run(int port, java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> command) {
		return EmbeddedRedis.run(port, command);
	}

	private <T> T sentinel(int port, java.util.function.Function<RedisSentinelCommands<String, String>, T> command) {
		RedisClient client = RedisClient.create();
		client.setOptions(ClientOptions.builder().autoReconnect(false).build());
		try (StatefulRedisSentinelConnection<String, String> connection = client
			.connectSentinel(RedisURI.create("127.0.0.1", port))) {
			return command.apply(connection.sync());
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
		}
	}

	@Override
	public void close() {
		List<Process> all = new ArrayList<>(this.sentinels);
		all.addAll(this.nodes.values());
		all.forEach(Process::destroyForcibly);
		for (Process process : all) {
			try {
				process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		File[] files = this.directory.listFiles();
		if (files != null) {
			for (File file : files) {
				file.delete();
			}
		}
		this.directory.delete();
	}

}
