package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.rpcclient.settings.RetrySettings;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retried call's own monitor guards only its rare paths (a failed attempt, a wait, hedging,
 * cancellation), over a real Netty backend:
 * <ul>
 * <li>a call that succeeds takes no lock: it completes while another thread holds the monitor (a
 * call that took it anywhere on its way would wait for the holder, and the bounded wait would
 * fail);</li>
 * <li>the consumers of a Resilience4j retry's events are the application's code: a call publishes
 * them (its retries, its errors, its success) without holding the monitor.</li>
 * </ul>
 */
class RetriableCallMonitorTest {

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
	void aSuccessfulUnaryCallCompletesWhileItsMonitorIsHeld() throws Exception {
		RetriableCall<EchoRequest, EchoResponse> call = retriable(EchoServiceGrpc.getEchoMethod());
		EchoResponse response = whileHeld(call.monitor(),
				() -> ClientCalls.futureUnaryCall(call, EchoRequest.newBuilder().setMessage("hello").build()).get());
		assertThat(response.getMessage()).isEqualTo("hello");
	}

	@Test
	void aSuccessfulServerStreamCompletesWhileItsMonitorIsHeld() throws Exception {
		RetriableCall<EchoRequest, EchoResponse> call = retriable(EchoServiceGrpc.getServerStreamMethod());
		List<EchoResponse> responses = whileHeld(call.monitor(), () -> {
			List<EchoResponse> all = new ArrayList<>();
			Iterator<EchoResponse> stream = ClientCalls.blockingServerStreamingCall(call,
					EchoRequest.newBuilder().setMessage("s").setCount(5).build());
			stream.forEachRemaining(all::add);
			return all;
		});
		assertThat(responses).hasSize(5);
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

	private <Q, R> RetriableCall<Q, R> retriable(MethodDescriptor<Q, R> method) {
		CallPolicy policy = new CallPolicy(Retry.of("echo", RetryConfig.custom().maxAttempts(3).build()),
				EnumSet.of(Status.Code.UNAVAILABLE), null, new RetryBudget(new RetrySettings.Budget(true, 0.2, Duration.ofSeconds(10), 10)),
				new ReplayBufferLimits(1 << 20, 16 << 20));
		return new RetriableCall<>(method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), this.channel,
				policy, this.scheduler);
	}

	/** Runs a call on another thread while this one holds a monitor; bounded. */
	private static <T> T whileHeld(Object monitor, Callable<T> call) throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Thread holder = new Thread(() -> {
			synchronized (monitor) {
				held.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}, "monitor-holder");
		holder.start();
		held.await();
		try {
			return CompletableFuture.supplyAsync(() -> {
				try {
					return call.call();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			}).get(10, TimeUnit.SECONDS);
		}
		finally {
			release.countDown();
			holder.join(5_000);
		}
	}

}
