package io.github.rpcclient.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
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

	private RedisClusterProcesses(int masters) {
		try {
			this.directory = Files.createTempDirectory("redis-cluster").toFile();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		for (int i = 0; i < masters; i++) {
			int port = EmbeddedRedis.freePort();
			this.ports.add(port);
			this.processes.add(EmbeddedRedis.launch(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
					"--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf", "--save", "",
					"--appendonly", "no"), this.directory));
		}
		for (int i = 0; i < masters; i++) {
			EmbeddedRedis.awaitPort(this.ports.get(i), this.processes.get(i));
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
		for (int i = 1; i < masters; i++) {
			int port = this.ports.get(i);
			run(this.ports.get(0), (redis) -> redis.clusterMeet("127.0.0.1", port));
		}
		await("cluster state ok").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.ports.stream()
				.allMatch((port) -> run(port, RedisCommands::clusterInfo).contains("cluster_state:ok")
						&& run(port, RedisCommands::clusterNodes).lines().count() == masters));
	}

	/** Starts a cluster of three masters. */
	public static RedisClusterProcesses start() {
		return new RedisClusterProcesses(3);
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
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
		client.setOptions(ClientOptions.builder().autoReconnect(false).build());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return command.apply(connection.sync());
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
		}
	}

	/** @return calls of one command on each node (port &rarr; calls), from {@code INFO commandstats} */
	public Map<Integer, Long> commandCalls(String command) {
		Map<Integer, Long> calls = new HashMap<>();
		for (int port : this.ports) {
			String info = run(port, (redis) -> redis.info("commandstats"));
			long count = 0;
			for (String line : info.split("\r?\n")) {
				if (line.startsWith("cmdstat_" + command + ":")) {
					for (String stat : line.substring(line.indexOf(':') + 1).split(",")) {
						if (stat.startsWith("calls=")) {
							count = Long.parseLong(stat.substring("calls=".length()));
						}
					}
				}
			}
			calls.put(port, count);
		}
		return calls;
	}

	/** @return the port of the master serving a slot */
	public int portOfSlot(int slot) {
		int per = SLOTS / this.ports.size();
		return this.ports.get(Math.min(slot / per, this.ports.size() - 1));
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
