package io.github.rpcclient.actuate;

import java.lang.ref.WeakReference;
import java.time.Duration;

import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-attempt meters are resolved once per method name, not per {@link MethodDescriptor}
 * instance: a client that builds its descriptors at run time (a generic gateway, reflection-based
 * calls) gets the same meters and leaves nothing behind per call.
 */
class MethodMetersBoundTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();

	@Test
	void descriptorsBuiltPerCallShareTheirMethodsMetersAndAreNotKept() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		ManagedChannel channel = Grpc.newChannelBuilder(backend.address(), InsecureChannelCredentials.create()).build();
		try {
			Channel metered = ClientInterceptors.intercept(channel,
					new MeteredClientInterceptor(registry, Tags.of("grpc.client.name", "echo"), true));
			WeakReference<MethodDescriptor<EchoRequest, EchoResponse>> last = null;
			for (int i = 0; i < 20; i++) {
				MethodDescriptor<EchoRequest, EchoResponse> descriptor = EchoServiceGrpc.getEchoMethod().toBuilder().build();
				ClientCalls.blockingUnaryCall(metered, descriptor, CallOptions.DEFAULT,
						EchoRequest.newBuilder().setMessage("x").build());
				last = new WeakReference<>(descriptor);
			}
			assertThat(registry.find(MethodMeters.NAME).timers()).singleElement()
				.satisfies((timer) -> assertThat(timer.count()).isEqualTo(20));
			WeakReference<MethodDescriptor<EchoRequest, EchoResponse>> lastDescriptor = last;
			await("the last descriptor collected").atMost(Duration.ofSeconds(10)).until(() -> {
				System.gc();
				return lastDescriptor.get() == null;
			});
		}
		finally {
			channel.shutdownNow();
		}
	}

}
