package io.github.rpcclient.test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test backend in another JVM process ({@link ForkedBackendMain}, on this JVM's class path),
 * for faults a process sees only from outside: {@link #kill()} is {@code kill -9}. Can be
 * restarted on the same port. Its standard error goes to {@code target/forked-backend-*.log}.
 */
public final class ForkedBackend implements AutoCloseable {

	private static final long START_TIMEOUT_SECONDS = 30;

	/** A small JVM that starts fast: tests need it to answer, not to be fast. */
	private static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
			"-XX:TieredStopAtLevel=1");

	private final int pod;

	private final List<String> jvmOptions;

	private final File log;

	private int port;

	private Process process;

	private ForkedBackend(int pod, List<String> jvmOptions) {
		this.pod = pod;
		this.jvmOptions = jvmOptions;
		File target = new File("target");
		this.log = new File(target.isDirectory() ? target : new File(System.getProperty("java.io.tmpdir")),
				"forked-backend-" + ProcessHandle.current().pid() + "-pod" + pod + ".log");
	}

	/**
	 * Starts backends on free ports, all at once, and waits until they listen.
	 * @param pods the pod index each backend's responses carry
	 * @return the backends, in the order of their pods
	 */
	public static List<ForkedBackend> start(int... pods) {
		return start(TEST_JVM_OPTIONS, pods);
	}

	/**
	 * Starts one backend in a JVM with the JVM's own defaults (full JIT), as a benchmark needs.
	 * @return the backend, answering as pod 0
	 */
	public static ForkedBackend startOptimized() {
		return start(List.of(), 0).get(0);
	}

	private static List<ForkedBackend> start(List<String> jvmOptions, int... pods) {
		List<ForkedBackend> backends = new ArrayList<>();
		try {
			for (int pod : pods) {
				ForkedBackend backend = new ForkedBackend(pod, jvmOptions);
				backends.add(backend);
				backend.launch();
			}
			for (ForkedBackend backend : backends) {
				backend.awaitListening();
			}
			return backends;
		}
		catch (RuntimeException ex) {
			backends.forEach(ForkedBackend::close);
			throw ex;
		}
	}

	/** (Re)starts the process, on the port it had before if it ran already, and waits until it listens. */
	public void restart() {
		launch();
		awaitListening();
	}

	private void launch() {
		String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
		try {
			List<String> command = new ArrayList<>();
			command.add(java);
			command.addAll(this.jvmOptions);
			command.addAll(List.of("-cp", System.getProperty("java.class.path"), ForkedBackendMain.class.getName(),
					String.valueOf(this.pod), String.valueOf(this.port)));
			this.process = new ProcessBuilder(command)
				.redirectError(ProcessBuilder.Redirect.appendTo(this.log))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void awaitListening() {
		BufferedReader out = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
		String line;
		try {
			line = CompletableFuture.supplyAsync(() -> readLine(out)).get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			this.process.destroyForcibly();
			throw new IllegalStateException("Backend pod " + this.pod + " did not start (see " + this.log + ")", ex);
		}
		if (line == null || !line.startsWith(ForkedBackendMain.LISTENING)) {
			this.process.destroyForcibly();
			throw new IllegalStateException("Backend pod " + this.pod + " did not start (see " + this.log + "): " + line);
		}
		this.port = Integer.parseInt(line.substring(ForkedBackendMain.LISTENING.length()).trim());
	}

	private static String readLine(BufferedReader reader) {
		try {
			return reader.readLine();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Kills the process with SIGKILL (on Linux) and waits until it is gone. */
	public void kill() {
		this.process.destroyForcibly();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Backend pod " + this.pod + " survived SIGKILL");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** @return whether the process runs */
	public boolean isAlive() {
		return this.process.isAlive();
	}

	public int port() {
		return this.port;
	}

	/** @return {@code 127.0.0.1:port} */
	public String address() {
		return "127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		if (this.process != null && this.process.isAlive()) {
			kill();
		}
	}

}
