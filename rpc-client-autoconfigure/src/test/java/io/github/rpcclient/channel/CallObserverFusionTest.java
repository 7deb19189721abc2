package io.github.rpcclient.channel;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Adjacent observers fused into one call keep the order, the status passing and the exactly-once
 * close they would have as interceptors of their own, around an interceptor that is not one.
 */
class CallObserverFusionTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();

	private static final CallOptions.Key<Boolean> THROW = CallOptions.Key.createWithDefault("throw", false);

	private final Queue<String> events = new ConcurrentLinkedQueue<>();

	private volatile boolean throwInB;

	private volatile boolean throwInBsClose;

	private Channel channelWithChain;

	private ManagedChannel channel;

	private EchoServiceGrpc.EchoServiceBlockingStub stub;

	@BeforeEach
	void chain() {
		this.channel = Grpc.newChannelBuilder(backend.address(), InsecureChannelCredentials.create()).build();
		List<ClientInterceptor> fused = CallChainAssembler.fuseObservers(
				List.of(new Recording("a"), new Recording("b"), new Plain(), new Recording("c")));
		assertThat(fused).hasSize(3).element(1).isInstanceOf(Plain.class);
		this.channelWithChain = ClientInterceptors.interceptForward(this.channel, fused);
		this.stub = EchoServiceGrpc.newBlockingStub(this.channelWithChain);
	}

	@AfterEach
	void close() {
		this.channel.shutdownNow();
	}

	@Test
	void startsOutermostFirstAndClosesInnermostFirstPassingTheStatusOutwards() {
		this.stub.echo(EchoRequest.newBuilder().setMessage("hi").build());
		assertThat(this.events).containsExactly("a start", "b start", "plain start", "c start", "c close OK null",
				"plain close", "b close OK by c", "a close OK by c,by b");
	}

	@Test
	void whenAStartFurtherInThrowsTheStartedObserversCloseOnceWithItsStatus() {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.stub.withOption(THROW, true).echo(EchoRequest.getDefaultInstance()));
		assertThat(this.events).containsExactly("a start", "b start", "plain start", "b close UNKNOWN null",
				"a close UNKNOWN by b");
	}

	@Test
	void whenAnObserverThrowsInItsStartOnlyTheObserversThatStartedAreClosed() {
		this.throwInB = true;
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.stub.echo(EchoRequest.getDefaultInstance()));
		assertThat(this.events).containsExactly("a start", "b start", "a close UNKNOWN null");
	}

	@Test
	void anObserverThatThrowsInItsCloseStopsNeitherTheOthersNorTheCaller() throws Exception {
		this.throwInBsClose = true;
		EchoResponse response = EchoServiceGrpc.newFutureStub(this.channelWithChain)
			.echo(EchoRequest.newBuilder().setMessage("hi").build())
			.get(5, TimeUnit.SECONDS);
		assertThat(response.getMessage()).isEqualTo("hi");
		assertThat(this.events).containsExactly("a start", "b start", "plain start", "c start", "c close OK null",
				"plain close", "b close OK by c", "a close OK by c");
	}

	@Test
	void aFailedCallClosesEachObserverOnce() {
		backend.service().failNext("Echo", 1, Status.UNAVAILABLE.withDescription("down"));
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> this.stub.echo(EchoRequest.getDefaultInstance()))
			.satisfies((ex) -> assertThat(ex.getStatus().getDescription()).isEqualTo("down\nby c\nby b\nby a"));
		assertThat(this.events).filteredOn((event) -> event.contains("close")).hasSize(4);
	}

	@Test
	void aGlobalObserverBeanAmongTheBuiltInOnesSharesTheirCallAndSeesTheHintsFurtherIn() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].address=127.0.0.1:" + closedPort,
					"grpc-clients.services[0].retry.enabled=false")
			.withBean(BetweenTimerAndHints.class)
			.run((context) -> {
				EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc
					.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
				assertThatExceptionOfType(StatusRuntimeException.class)
					.isThrownBy(() -> stub.echo(EchoRequest.getDefaultInstance()));
				BetweenTimerAndHints observer = context.getBean(BetweenTimerAndHints.class);
				assertThat(observer.wrappersOnStack).as("observed calls on the stack at its start").containsExactly(1L);
				assertThat(observer.closed).singleElement().asString().contains("(connection refused)");
			});
	}

	/** Between the call timer (2050) and the failure hints (2100). */
	@GrpcGlobalClientInterceptor
	@Order(2075)
	static class BetweenTimerAndHints implements CallObserver {

		final Queue<Long> wrappersOnStack = new ConcurrentLinkedQueue<>();

		final Queue<String> closed = new ConcurrentLinkedQueue<>();

		@Override
		public void onStart(ObservedCall<?, ?> call, Metadata headers) {
			this.wrappersOnStack.add(StackWalker.getInstance()
				.walk((frames) -> frames.filter((frame) -> frame.getClassName().equals(ObservedCall.class.getName())
						&& frame.getMethodName().equals("start"))
					.count()));
		}

		@Override
		public Status onClose(ObservedCall<?, ?> call, Status status) {
			this.closed.add(status.getCode() + ": " + status.getDescription());
			return status;
		}

	}

	private final class Recording implements CallObserver {

		private final String name;

		Recording(String name) {
			this.name = name;
		}

		@Override
		public void onStart(ObservedCall<?, ?> call, Metadata headers) {
			assertThat(call.method().getBareMethodName()).isEqualTo("Echo");
			CallObserverFusionTest.this.events.add(this.name + " start");
			if (this.name.equals("b") && CallObserverFusionTest.this.throwInB) {
				throw new IllegalStateException("thrown in b's start");
			}
		}

		@Override
		public Status onClose(ObservedCall<?, ?> call, Status status) {
			CallObserverFusionTest.this.events
				.add(this.name + " close " + status.getCode() + " " + String.valueOf(status.getDescription()).replace('\n', ','));
			if (this.name.equals("b") && CallObserverFusionTest.this.throwInBsClose) {
				throw new IllegalStateException("thrown in b's close");
			}
			return status.augmentDescription("by " + this.name);
		}

	}

	private final class Plain implements ClientInterceptor {

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
				Channel next) {
			return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {

				@Override
				public void start(Listener<R> listener, Metadata headers) {
					CallObserverFusionTest.this.events.add("plain start");
					if (callOptions.getOption(THROW)) {
						throw new IllegalStateException("thrown in start");
					}
					super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {

						@Override
						public void onClose(Status status, Metadata trailers) {
							CallObserverFusionTest.this.events.add("plain close");
							super.onClose(status, trailers);
						}

					}, headers);
				}

			};
		}

	}

}
