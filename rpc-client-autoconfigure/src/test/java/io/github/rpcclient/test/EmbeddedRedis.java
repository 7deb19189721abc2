package io.github.rpcclient.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A real Redis server (the redis-server 6.2 binary bundled by embedded-redis, run as a process of
 * its own) on a free loopback port, for tests. Can be stopped, killed with SIGKILL and restarted
 * on the same port; keeps nothing on disk.
 */
public final class EmbeddedRedis implements AutoCloseable {

	private final int port;

	private Process server;

	private String password;

	private final List<ClientResources> clientResources = new CopyOnWriteArrayList<>();

	private EmbeddedRedis(int port) {
		this.port = port;
	}

	/** Starts a Redis on a free port. */
	public static EmbeddedRedis start() {
		EmbeddedRedis redis = new EmbeddedRedis(freePort());
		redis.restart();
		return redis;
	}

	/**
	 * Starts a Redis on a free port that requires a password ({@code requirepass}).
	 * @param password what clients must send with AUTH
	 */
	public static EmbeddedRedis startRequiringPassword(String password) {
		EmbeddedRedis redis = new EmbeddedRedis(freePort());
		redis.password = password;
		redis.restart();
		return redis;
	}

	/** (Re)starts the server on its port, empty. */
	public EmbeddedRedis restart() {
		List<String> arguments = new ArrayList<>(List.of("--port", Integer.toString(this.port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no"));
		if (this.password != null) {
			arguments.addAll(List.of("--requirepass", this.password));
		}
		this.server = launch(arguments);
		awaitPort(this.port, this.server);
		return this;
	}

	/** Stops the server (SIGTERM) and waits for it to exit. */
	public void stop() {
		end(false);
	}

	/** Kills the server process with SIGKILL ({@code kill -9}), as a crash would. */
	public void kill() {
		end(true);
	}

	private void end(boolean forcibly) {
		Process process = this.server;
		if (process == null) {
			return;
		}
		if (forcibly) {
			process.destroyForcibly();
		}
		else {
			process.destroy();
		}
		try {
			if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Starts a redis-server process of the binary embedded-redis bundles.
	 * @param arguments its command-line arguments
	 * @return the process, its output discarded
	 */
	public static Process launch(List<String> arguments) {
		return launch(arguments, null);
	}

	/**
	 * Starts a redis-server process of the binary embedded-redis bundles.
	 * @param arguments its command-line arguments
	 * @param directory its working directory, or {@code null} for this one
	 * @return the process, its output discarded
	 */
	public static Process launch(List<String> arguments, @org.springframework.lang.Nullable java.io.File directory) {
		try {
			java.io.File binary = redis.embedded.core.ExecutableProvider.newJarResourceProvider().get();
			binary.setExecutable(true);
			List<String> command = new java.util.ArrayList<>();
			command.add(binary.getAbsolutePath());
			command.addAll(arguments);
			return new ProcessBuilder(command).directory(directory)
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Arguments for a replicated node: replicas authenticate as user {@value #REPLICATION_USER}, so
	 * that a test can cut a master off from its replicas ({@code ACL SETUSER repl off} and
	 * {@code CLIENT KILL TYPE replica}) while clients (the default user) carry on.
	 * @return redis-server arguments
	 */
	public static List<String> replicationUser() {
		return List.of("--user", REPLICATION_USER, "on", ">" + REPLICATION_USER + "-password", "~*", "+@all",
				"--masteruser", REPLICATION_USER, "--masterauth", REPLICATION_USER + "-password");
	}

	/** The user replicas authenticate as, see {@link #replicationUser()}. */
	public static final String REPLICATION_USER = "repl";

	/**
	 * Kills a process with SIGKILL ({@code kill -9}) and waits (at most 10 s) for it to end.
	 * @param process the process
	 */
	public static void kill(Process process) {
		process.destroyForcibly();
		try {
			process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Waits (at most 10 s) until a port accepts connections. */
	public static void awaitPort(int port, Process process) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
				return;
			}
			catch (IOException ex) {
				if (!process.isAlive()) {
					throw new IllegalStateException("redis-server on port " + port + " exited: " + process.exitValue());
				}
				java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
			}
		}
		throw new IllegalStateException("redis-server did not open port " + port + " within 10 s");
	}

	public int port() {
		return this.port;
	}

	/** @return Spring Boot properties pointing at this Redis */
	public String[] springProperties() {
		return new String[] { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + this.port,
				"spring.data.redis.timeout=2s", "spring.data.redis.connect-timeout=500ms" };
	}

	/** @return a new, started Lettuce connection factory of its own (close it with destroy()) */
	public LettuceConnectionFactory newConnectionFactory() {
		ClientResources resources = ClientResources.builder()
			.reconnectDelay(Delay.constant(Duration.ofMillis(100)))
			.build();
		this.clientResources.add(resources);
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", this.port),
				LettuceClientConfiguration.builder()
					.commandTimeout(Duration.ofSeconds(2))
					.clientResources(resources)
					.build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Runs a command on a connection of its own.
	 * @param command what to do
	 * @param <T> the result
	 * @return what the command returned
	 */
	public <T> T run(java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> command) {
		return run(this.port, command);
	}

	/**
	 * Runs a command on a connection of its own to any Redis on loopback.
	 * @param port its port
	 * @param command what to do
	 * @param <T> the result
	 * @return what the command returned
	 */
	public static <T> T run(int port,
			java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> command) {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
		client.setOptions(ClientOptions.builder().autoReconnect(false).build());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return command.apply(connection.sync());
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
		}
	}

	/**
	 * Whether this Redis answers a PING within a time, as it does not while it runs a
	 * {@code DEBUG SLEEP} or is down.
	 * @param timeout how long to wait for the answer (connecting included)
	 * @return whether it answered
	 */
	public boolean answersWithin(Duration timeout) {
		return answersWithin(this.port, timeout);
	}

	/**
	 * Whether a Redis answers a PING within a time, as it does not while it runs a
	 * {@code DEBUG SLEEP} or is down.
	 * @param port its port
	 * @param timeout how long to wait for the answer (connecting included)
	 * @return whether it answered
	 */
	public static boolean answersWithin(int port, Duration timeout) {
		RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port)
			.withTimeout(timeout).build());
		client.setOptions(ClientOptions.builder().autoReconnect(false).build());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().ping();
			return true;
		}
		catch (io.lettuce.core.RedisException ex) {
			return false;
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
		}
	}

	/**
	 * @return calls per command name from {@code INFO commandstats}, such as {@code evalsha -> 1},
	 * leaving out what this probe's own connection sends (HELLO, CLIENT, INFO)
	 */
	public Map<String, Long> commandCalls() {
		String info = run((redis) -> redis.info("commandstats"));
		Map<String, Long> calls = new HashMap<>();
		for (String line : info.split("\r?\n")) {
			if (line.startsWith("cmdstat_")) {
				String name = line.substring("cmdstat_".length(), line.indexOf(':'));
				if (name.equals("info") || name.equals("hello") || name.startsWith("client")) {
					continue;
				}
				String stats = line.substring(line.indexOf(':') + 1);
				for (String stat : stats.split(",")) {
					if (stat.startsWith("calls=")) {
						calls.put(name, Long.parseLong(stat.substring("calls=".length())));
					}
				}
			}
		}
		return calls;
	}

	@Override
	public void close() {
		stop();
		this.clientResources.forEach((resources) -> resources.shutdown(0, 1, java.util.concurrent.TimeUnit.SECONDS));
	}

	/** @return a free loopback port */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
