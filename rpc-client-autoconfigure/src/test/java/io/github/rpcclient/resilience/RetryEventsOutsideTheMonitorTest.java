package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumers of a Resilience4j retry's events are the application's code: a call publishes
 * them (its retries, its errors, its success) without holding its own monitor, over a real Netty
 * backend that fails the first attempts.
 */
class RetryEventsOutsideTheMonitorTest {

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	private final ManagedChannel channel = Grpc.newChannelBuilder(this.backend.address(),
			InsecureChannelCredentials.create()).build();

	private final RetryScheduler scheduler = new RetryScheduler();

	@AfterEach
	void close() throws Exception {
		this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.scheduler.destroy();
	}

	@Test
	void retryEventConsumersRunWithoutTheCallsMonitor() throws Exception {
		Retry retry = Retry.of("events", RetryConfig.custom()
			.maxAttempts(3)
			.waitDuration(Duration.ofMillis(5))
			.retryOnException(StatusFailure::isRetryable)
			.failAfterMaxAttempts(false)
			.build());
		AtomicReference<Object> monitor = new AtomicReference<>();
		List<String> heldDuring = new CopyOnWriteArrayList<>();
		List<String> events = new CopyOnWriteArrayList<>();
		retry.getEventPublisher().onEvent((event) -> {
			events.add(event.getEventType().name());
			if (Thread.holdsLock(monitor.get())) {
				heldDuring.add(event.getEventType().name());
			}
		});
		CallPolicy policy = new CallPolicy(retry, EnumSet.of(Status.Code.UNAVAILABLE), null, null,
				new ReplayBufferLimits(1 << 20, 16 << 20));
		this.backend.service().failNext("Echo", 2, Status.UNAVAILABLE);
		RetriableCall<EchoRequest, EchoResponse> call = new RetriableCall<>(EchoServiceGrpc.getEchoMethod(),
				CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), this.channel, policy, this.scheduler);
		monitor.set(call.monitor());
		EchoResponse response = ClientCalls.futureUnaryCall(call, EchoRequest.newBuilder().setMessage("x").build())
			.get(10, TimeUnit.SECONDS);
		assertThat(response.getMessage()).isEqualTo("x");
		assertThat(events).containsExactly("RETRY", "RETRY", "SUCCESS");
		assertThat(heldDuring).isEmpty();
	}

}
