package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.rpcclient.settings.HedgingSettings;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many retried and hedged calls at once over a real Netty backend that fails a share of the
 * attempts, each cancelled by another thread at a random moment (before its start, at once, during
 * an attempt or a backoff) or not at all: every call ends with exactly one status, the successful
 * ones with their answer, and every byte kept for replay is given back.
 */
class RetriableCallRaceTest {

	private static final int CALLS = 600;

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	private final ManagedChannel channel = Grpc.newChannelBuilder(this.backend.address(),
			InsecureChannelCredentials.create()).build();

	private final RetryScheduler scheduler = new RetryScheduler();

	private final ExecutorService callbacks = Executors.newFixedThreadPool(4);

	private final ExecutorService cancellers = Executors.newFixedThreadPool(2);

	private final ReplayBufferLimits limits = new ReplayBufferLimits(1 << 20, 16 << 20);

	@AfterEach
	void close() throws Exception {
		this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.scheduler.destroy();
		this.cancellers.shutdownNow();
		this.callbacks.shutdownNow();
	}

	@Test
	void retriedCallsCancelledAtRandomEachEndOnce() throws Exception {
		Retry retry = Retry.of("race", RetryConfig.custom()
			.maxAttempts(3)
			.waitDuration(Duration.ofMillis(1))
			.retryOnException(StatusFailure::isRetryable)
			.failAfterMaxAttempts(false)
			.build());
		race(new CallPolicy(retry, EnumSet.of(Status.Code.UNAVAILABLE), null, null, this.limits));
	}

	@Test
	void hedgedCallsCancelledAtRandomEachEndOnce() throws Exception {
		HedgingSettings hedging = new HedgingSettings(true, 3, Duration.ofMillis(1), Set.of(Status.Code.UNAVAILABLE));
		race(new CallPolicy(null, Set.of(), hedging, null, this.limits));
	}

	private void race(CallPolicy policy) throws Exception {
		this.backend.service().failNext("Echo", CALLS / 2, Status.UNAVAILABLE);
		List<Outcome> outcomes = new ArrayList<>();
		for (int i = 0; i < CALLS; i++) {
			RetriableCall<EchoRequest, EchoResponse> call = new RetriableCall<>(EchoServiceGrpc.getEchoMethod(),
					CallOptions.DEFAULT.withExecutor(this.callbacks).withDeadlineAfter(30, TimeUnit.SECONDS),
					this.channel, policy, this.scheduler);
			Outcome outcome = new Outcome();
			outcomes.add(outcome);
			int when = ThreadLocalRandom.current().nextInt(5);
			if (when == 0) {
				call.cancel("cancelled before its start", null);
			}
			else if (when == 1 || when == 2) {
				long pauseNanos = (when == 1) ? 0 : ThreadLocalRandom.current().nextLong(3_000_000);
				this.cancellers.execute(() -> {
					LockSupport.parkNanos(pauseNanos);
					call.cancel("cancelled by the caller", null);
				});
			}
			call.start(outcome, new Metadata());
			call.request(2);
			call.sendMessage(EchoRequest.newBuilder().setMessage("m" + i).build());
			call.halfClose();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.stream().allMatch((o) -> o.closes.get() > 0));
		// Whatever could still close a listener has stopped: the transport, the timer, the callbacks.
		this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.scheduler.destroy();
		this.callbacks.shutdown();
		assertThat(this.callbacks.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
		for (Outcome outcome : outcomes) {
			assertThat(outcome.closes.get()).as("closes of one call").isEqualTo(1);
			Status status = outcome.status.get();
			if (status.isOk()) {
				assertThat(outcome.messages.get()).isEqualTo(1);
			}
			else {
				assertThat(status.getCode()).isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE);
			}
		}
		assertThat(outcomes.stream().filter((o) -> o.status.get().isOk())).isNotEmpty();
		assertThat(outcomes.stream().filter((o) -> o.status.get().getCode() == Status.Code.CANCELLED)).isNotEmpty();
		assertThat(this.limits.used()).isZero();
	}

	private static final class Outcome extends ClientCall.Listener<EchoResponse> {

		final AtomicInteger closes = new AtomicInteger();

		final AtomicInteger messages = new AtomicInteger();

		final AtomicReference<Status> status = new AtomicReference<>();

		@Override
		public void onMessage(EchoResponse message) {
			this.messages.incrementAndGet();
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			this.status.set(status);
			this.closes.incrementAndGet();
		}

	}

}
