package io.github.rpcclient.channel;

import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The count of calls in flight, which graceful shutdown waits for, over every way a call ends.
 */
class InFlightCallsTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();

	@Test
	void callsThatCloseAndCallsWhoseStartThrowsAreCountedOut() {
		backend.runner().withBean(ThrowingInStart.class).run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(registry.getCallChannel("echo"));
			stub.echo(EchoRequest.newBuilder().setMessage("ok").build());
			assertThat(registry.get("echo").inFlightCalls().getAsLong()).isZero();
			for (int i = 0; i < 3; i++) {
				assertThatIllegalStateException()
					.isThrownBy(() -> stub.withOption(ThrowingInStart.THROW, true).echo(EchoRequest.getDefaultInstance()))
					.withMessage("thrown in start");
			}
			assertThat(registry.get("echo").inFlightCalls().getAsLong()).isZero();
		});
	}

	@GrpcGlobalClientInterceptor
	static class ThrowingInStart implements ClientInterceptor {

		static final CallOptions.Key<Boolean> THROW = CallOptions.Key.createWithDefault("throw", false);

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
				Channel next) {
			if (!callOptions.getOption(THROW)) {
				return next.newCall(method, callOptions);
			}
			return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {

				@Override
				public void start(Listener<R> responseListener, Metadata headers) {
					throw new IllegalStateException("thrown in start");
				}

			};
		}

	}

}
