package io.github.rpcclient.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.Attributes;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

/**
 * A real Netty gRPC server on a loopback port serving {@link EchoServiceImpl}, for tests. Can be
 * stopped and restarted on the same port.
 */
public final class TestBackend implements AutoCloseable {

	private final EchoServiceImpl service;

	private final ServerCredentials credentials;

	private final AtomicInteger connections = new AtomicInteger();

	private int port;

	private Server server;

	private TestBackend(int pod, ServerCredentials credentials, int port) {
		this.service = new EchoServiceImpl(pod);
		this.credentials = credentials;
		this.port = port;
	}

	/** Starts a plaintext backend on a free port, answering as pod 0. */
	public static TestBackend start() {
		return start(0);
	}

	/** Starts a plaintext backend on a free port, answering as the given pod. */
	public static TestBackend start(int pod) {
		return start(pod, InsecureServerCredentials.create());
	}

	/** Starts a backend with the given credentials on a free port. */
	public static TestBackend start(int pod, ServerCredentials credentials) {
		TestBackend backend = new TestBackend(pod, credentials, 0);
		backend.restart();
		return backend;
	}

	/** (Re)starts the server, on the port it had before if it ran already. */
	public TestBackend restart() {
		try {
			this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", this.port), this.credentials)
				.addService(ServerInterceptors.intercept(this.service, new RequestHeaders(this.service)))
				.addTransportFilter(new ServerTransportFilter() {

					@Override
					public Attributes transportReady(Attributes attributes) {
						TestBackend.this.connections.incrementAndGet();
						return attributes;
					}

				})
				.permitKeepAliveTime(1, TimeUnit.SECONDS)
				.permitKeepAliveWithoutCalls(true)
				.build()
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.port = this.server.getPort();
		return this;
	}

	/** Stops the server at once, failing in-flight calls. */
	public void stop() {
		this.server.shutdownNow();
		try {
			this.server.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** @return how many client connections the server has accepted, over all its restarts */
	public int connections() {
		return this.connections.get();
	}

	public int port() {
		return this.port;
	}

	/** @return {@code 127.0.0.1:port} */
	public String address() {
		return "127.0.0.1:" + this.port;
	}

	public EchoServiceImpl service() {
		return this.service;
	}

	@Override
	public void close() {
		stop();
	}

}
