package io.github.rpcclient.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

/**
 * A real Netty gRPC server on a free loopback port whose {@code Slow} calls are held, without
 * blocking a server thread, until the test {@link #open() opens the gate}: a test decides when a
 * slow call ends instead of guessing how long it takes. {@code Echo} answers at once;
 * {@code ClientStream} answers when the client half-closes.
 */
public final class GatedEchoBackend implements AutoCloseable {

	private final Queue<Runnable> held = new ConcurrentLinkedQueue<>();

	private final AtomicInteger slowCalls = new AtomicInteger();

	private final AtomicInteger echoCalls = new AtomicInteger();

	private volatile boolean open;

	private final Server server;

	private GatedEchoBackend() {
		try {
			this.server = NettyServerBuilder
				.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
				.addService(new Service())
				.build()
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Starts a backend with its gate closed. */
	public static GatedEchoBackend start() {
		return new GatedEchoBackend();
	}

	/** @return {@code 127.0.0.1:port} */
	public String address() {
		return "127.0.0.1:" + this.server.getPort();
	}

	/** @return how many {@code Slow} calls arrived */
	public int slowCalls() {
		return this.slowCalls.get();
	}

	/** @return how many {@code Echo} calls arrived */
	public int echoCalls() {
		return this.echoCalls.get();
	}

	/** Answers every held {@code Slow} call, and every later one at once. */
	public void open() {
		this.open = true;
		Runnable answer;
		while ((answer = this.held.poll()) != null) {
			answer.run();
		}
	}

	/** Stops the server at once, failing the calls it holds. */
	public void stop() {
		this.server.shutdownNow();
		try {
			this.server.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		stop();
	}

	private static EchoResponse reply(String message) {
		return EchoResponse.newBuilder().setMessage(message).build();
	}

	private final class Service extends EchoServiceGrpc.EchoServiceImplBase {

		@Override
		public void echo(EchoRequest request, StreamObserver<EchoResponse> observer) {
			GatedEchoBackend.this.echoCalls.incrementAndGet();
			observer.onNext(reply(request.getMessage()));
			observer.onCompleted();
		}

		@Override
		public void slow(EchoRequest request, StreamObserver<EchoResponse> observer) {
			Runnable answer = () -> {
				try {
					observer.onNext(reply(request.getMessage()));
					observer.onCompleted();
				}
				catch (StatusRuntimeException ex) {
					// the client cancelled the call while it was held
				}
			};
			if (GatedEchoBackend.this.open) {
				answer.run();
			}
			else {
				GatedEchoBackend.this.held.add(answer);
				if (GatedEchoBackend.this.open) {
					GatedEchoBackend.this.open();
				}
			}
			GatedEchoBackend.this.slowCalls.incrementAndGet();
		}

		@Override
		public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoResponse> observer) {
			StringBuilder joined = new StringBuilder();
			return new StreamObserver<>() {

				@Override
				public void onNext(EchoRequest request) {
					joined.append(request.getMessage());
				}

				@Override
				public void onError(Throwable error) {
				}

				@Override
				public void onCompleted() {
					observer.onNext(reply(joined.toString()));
					observer.onCompleted();
				}

			};
		}

	}

}
