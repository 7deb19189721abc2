package io.github.rpcclient.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a free loopback port in front of a backend, that can die the way a crashed or
 * killed backend process does: its port closes and its connections are reset (or closed) at once,
 * with no gRPC or HTTP/2 goodbye. One thread per direction of each connection; for tests.
 */
public final class TcpProxy implements AutoCloseable {

	private final ServerSocket server;

	private final int targetPort;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final AtomicInteger connections = new AtomicInteger();

	private TcpProxy(int targetPort) throws IOException {
		this.targetPort = targetPort;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		thread("accept", this::accept).start();
	}

	/**
	 * Starts a relay to a port on the loopback address.
	 * @param targetPort the backend's port
	 * @return the running relay
	 */
	public static TcpProxy start(int targetPort) {
		try {
			return new TcpProxy(targetPort);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** @return {@code 127.0.0.1:port} of the relay */
	public String address() {
		return "127.0.0.1:" + this.server.getLocalPort();
	}

	/** @return how many client connections the relay has accepted */
	public int connections() {
		return this.connections.get();
	}

	/**
	 * Dies at once: closes the port, then every connection, both ways.
	 * @param reset whether connections are reset (TCP RST, as when a process dies with unread
	 * data), rather than closed (FIN)
	 */
	public void kill(boolean reset) {
		closeQuietly(this.server);
		for (Socket socket : this.sockets) {
			if (reset) {
				try {
					socket.setSoLinger(true, 0);
				}
				catch (IOException ex) {
					// already closed
				}
			}
			closeQuietly(socket);
		}
	}

	@Override
	public void close() {
		kill(false);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				this.connections.incrementAndGet();
				Socket backend = new Socket();
				this.sockets.add(client);
				this.sockets.add(backend);
				backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.targetPort));
				thread("to-backend", () -> pump(client, backend)).start();
				thread("to-client", () -> pump(backend, client)).start();
			}
			catch (IOException ex) {
				// closed, or the backend refused: the client sees its connection closed
			}
		}
	}

	private void pump(Socket from, Socket to) {
		byte[] buffer = new byte[16384];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (IOException ex) {
			// one side is gone
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	private static Thread thread(String name, Runnable task) {
		Thread thread = new Thread(task, "tcp-proxy-" + name);
		thread.setDaemon(true);
		return thread;
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// already closed
		}
	}

}
