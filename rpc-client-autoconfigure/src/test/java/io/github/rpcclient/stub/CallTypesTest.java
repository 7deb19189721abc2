package io.github.rpcclient.stub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * All four call types through {@link GrpcClient @GrpcClient} stubs against a real Netty server.
 */
class CallTypesTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension(7);

	private ApplicationContextRunner runner() {
		return backend.runner().withBean(EchoClients.class);
	}

	@Test
	void unaryServerStreamingClientStreamingAndBidiWork() {
		runner().run((context) -> {
			EchoClients clients = context.getBean(EchoClients.class);

			assertThat(clients.blocking.echo(request("hi")).getMessage()).isEqualTo("hi");

			List<String> streamed = new ArrayList<>();
			Iterator<EchoResponse> responses = clients.blocking
				.serverStream(EchoRequest.newBuilder().setMessage("s").setCount(3).build());
			responses.forEachRemaining((response) -> streamed.add(response.getMessage()));
			assertThat(streamed).containsExactly("s-0", "s-1", "s-2");

			Collector single = new Collector();
			StreamObserver<EchoRequest> upload = clients.async.clientStream(single);
			upload.onNext(request("a"));
			upload.onNext(request("b"));
			upload.onCompleted();
			assertThat(single.await()).extracting(EchoResponse::getMessage).containsExactly("a,b");

			Collector chat = new Collector();
			StreamObserver<EchoRequest> conversation = clients.async.bidi(chat);
			conversation.onNext(request("x"));
			conversation.onNext(request("y"));
			conversation.onCompleted();
			assertThat(chat.await()).extracting(EchoResponse::getMessage).containsExactly("x", "y");

			EchoResponse viaFuture = clients.future.echo(request("f")).get(5, TimeUnit.SECONDS);
			assertThat(viaFuture.getPod()).isEqualTo(7);
		});
	}

	@Test
	void stubsOfOneServiceShareTheRegistryChannel() {
		runner().run((context) -> {
			EchoClients clients = context.getBean(EchoClients.class);
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			assertThat(clients.blocking.getChannel()).isSameAs(registry.getCallChannel("echo"));
			assertThat(clients.async.getChannel()).isSameAs(registry.getCallChannel("echo"));
			assertThat(clients.future.getChannel()).isSameAs(registry.getCallChannel("echo"));
			assertThat(clients.secondBlocking.getChannel()).isSameAs(clients.blocking.getChannel());
			assertThat(registry.getServiceNames()).containsExactly("echo");
		});
	}

	static EchoRequest request(String message) {
		return EchoRequest.newBuilder().setMessage(message).build();
	}

	static class EchoClients {

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceBlockingStub blocking;

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceBlockingStub secondBlocking;

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceStub async;

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceFutureStub future;

	}

	/** Collects a response stream. */
	static final class Collector implements StreamObserver<EchoResponse> {

		private final List<EchoResponse> received = new ArrayList<>();

		private final CompletableFuture<List<EchoResponse>> done = new CompletableFuture<>();

		@Override
		public synchronized void onNext(EchoResponse value) {
			this.received.add(value);
		}

		@Override
		public synchronized void onError(Throwable error) {
			this.done.completeExceptionally(error);
		}

		@Override
		public synchronized void onCompleted() {
			this.done.complete(List.copyOf(this.received));
		}

		List<EchoResponse> await() throws Exception {
			return this.done.get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
		}

	}

}
