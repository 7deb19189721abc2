package io.github.rpcclient.test;

import java.io.IOException;
import java.net.InetSocketAddress;

import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

/**
 * Main class of a test backend in a JVM of its own, started by {@link ForkedBackend}: a plaintext
 * Netty server on {@code 127.0.0.1} whose unary echo methods answer with the pod index. Arguments:
 * the pod index and the port (0 for a free one). Prints {@code PORT <port>} once it listens, and
 * exits when its standard input closes, so that it never outlives the test JVM.
 */
public final class ForkedBackendMain {

	/** The line the backend prints once it listens, followed by the port. */
	static final String LISTENING = "PORT ";

	private ForkedBackendMain() {
	}

	public static void main(String[] args) throws IOException, InterruptedException {
		int pod = Integer.parseInt(args[0]);
		int port = Integer.parseInt(args[1]);
		Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port),
				InsecureServerCredentials.create())
			.addService(new Echo(pod))
			.build()
			.start();
		System.out.println(LISTENING + server.getPort());
		System.out.flush();
		while (System.in.read() != -1) {
			// wait for the test JVM to close the pipe (or to end)
		}
		server.shutdownNow().awaitTermination();
	}

	/** Unary echo methods, answering with the pod index; nothing is recorded per call. */
	private static final class Echo extends EchoServiceGrpc.EchoServiceImplBase {

		private final int pod;

		Echo(int pod) {
			this.pod = pod;
		}

		@Override
		public void echo(EchoRequest request, StreamObserver<EchoResponse> observer) {
			reply(request, observer);
		}

		@Override
		public void idempotentEcho(EchoRequest request, StreamObserver<EchoResponse> observer) {
			reply(request, observer);
		}

		private void reply(EchoRequest request, StreamObserver<EchoResponse> observer) {
			observer.onNext(EchoResponse.newBuilder().setMessage(request.getMessage()).setPod(this.pod).build());
			observer.onCompleted();
		}

	}

}
