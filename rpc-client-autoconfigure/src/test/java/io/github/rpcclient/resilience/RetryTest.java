package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.rpcclient.channel.GrpcGlobalClientInterceptor;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.rpcclient.resilience.ResilienceTestSupport.ECHO;
import static io.github.rpcclient.resilience.ResilienceTestSupport.async;
import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.future;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Retry of real calls to a Netty backend that fails on purpose; the backend counts the attempts.
 */
class RetryTest {

	private static final Metadata.Key<String> TRACE = Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	private ApplicationContextRunner runner(EchoBackendExtension backend) {
		return ResilienceTestSupport.runner(backend).withPropertyValues("grpc-clients.services[0].circuit-breaker.enabled=false");
	}


	@Test
	void failingTwiceThenSucceedingTakesThreeAttemptsSpacedByTheBackoff() {
		this.backend.service().failNext("Echo", 2, Status.UNAVAILABLE);
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.backoff=100ms",
					"grpc-clients.services[0].retry.multiplier=2", "grpc-clients.services[0].retry.jitter=0")
			.run((context) -> {
				Metadata headers = new Metadata();
				headers.put(TRACE, "trace-1");
				EchoResponse response = blocking(context)
					.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
					.echo(request("hi"));

				assertThat(response.getMessage()).isEqualTo("hi");
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(3);
				List<Long> arrivals = this.backend.service().attemptNanos("Echo");
				double firstGap = (arrivals.get(1) - arrivals.get(0)) / 1e6;
				double secondGap = (arrivals.get(2) - arrivals.get(1)) / 1e6;
				// a timer never fires early, so the lower bounds are exact; the upper bounds leave room
				// for a loaded machine (a retry waits for its backoff, not for much more)
				assertThat(firstGap).as("wait before the first retry, ms").isBetween(95.0, 1000.0);
				assertThat(secondGap).as("wait before the second retry, ms").isBetween(195.0, 1100.0);
				List<Metadata> received = new ArrayList<>(this.backend.service().headers());
				assertThat(received).extracting((h) -> h.get(TRACE)).containsExactly("trace-1", "trace-1", "trace-1");
				assertThat(received).extracting((h) -> h.get(AttemptReplay.PREVIOUS_ATTEMPTS))
					.containsExactly(null, "1", "2");
				Retry retry = context.getBean(RetryRegistry.class).retry("echo");
				assertThat(retry.getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt()).isEqualTo(1);
			});
	}

	@Test
	void retriesUpToMaxAttemptsAndGivesTheLastStatus() {
		this.backend.service().failNext("Echo", 5, Status.UNAVAILABLE.withDescription("down"));
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
				.satisfies((ex) -> assertThat(ex.getStatus().getDescription()).isEqualTo("down"));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(3);
			assertThat(context.getBean(RetryRegistry.class).retry("echo").getMetrics()
				.getNumberOfFailedCallsWithRetryAttempt()).isEqualTo(1);
		});
	}

	@Test
	void resilience4jCountsEveryCallOnceWithAndWithoutRetries() {
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			List<CompletableFuture<Void>> callers = new ArrayList<>();
			for (int caller = 0; caller < 8; caller++) {
				callers.add(CompletableFuture.runAsync(() -> {
					for (int i = 0; i < 50; i++) {
						assertThat(blocking(context).echo(request("ok")).getMessage()).isEqualTo("ok");
					}
				}));
			}
			callers.forEach(CompletableFuture::join);
			this.backend.service().failNext("Echo", 1, Status.UNAVAILABLE);
			assertThat(blocking(context).echo(request("after one failure")).getMessage()).isEqualTo("after one failure");
			Retry.Metrics metrics = context.getBean(RetryRegistry.class).retry("echo").getMetrics();
			assertThat(metrics.getNumberOfSuccessfulCallsWithoutRetryAttempt()).isEqualTo(400);
			assertThat(metrics.getNumberOfSuccessfulCallsWithRetryAttempt()).isEqualTo(1);
			assertThat(metrics.getNumberOfFailedCallsWithRetryAttempt()).isZero();
			assertThat(metrics.getNumberOfFailedCallsWithoutRetryAttempt()).isZero();
			// Resilience4j's "total calls" counts attempts: 400 + 2
			assertThat(metrics.getNumberOfTotalCalls()).isEqualTo(402);
		});
	}

	@Test
	void nonRetryableStatusIsAttemptedOnce() {
		this.backend.service().failNext("Echo", 3, Status.INVALID_ARGUMENT);
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
		});
	}

	@Test
	void callerCancellationDuringAnAttemptIsNotRetried() {
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			ListenableFuture<EchoResponse> call = future(context)
				.slow(EchoRequest.newBuilder().setMessage("slow").setSleepMillis(2000).build());
			await().atMost(Duration.ofSeconds(5)).until(() -> this.backend.service().attempts("Slow") == 1);
			call.cancel(true);
			assertThatExceptionOfType(CancellationException.class).isThrownBy(() -> call.get(5, TimeUnit.SECONDS));
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
				.until(() -> this.backend.service().attempts("Slow") == 1);
		});
	}

	@Test
	void callerCancellationDuringTheBackoffEndsTheCall() {
		this.backend.service().failNext("Echo", 3, Status.UNAVAILABLE);
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.backoff=400ms", "grpc-clients.services[0].retry.jitter=0")
			.run((context) -> {
				ListenableFuture<EchoResponse> call = future(context).echo(request("x"));
				await().atMost(Duration.ofSeconds(5)).until(() -> this.backend.service().attempts("Echo") == 1);
				call.cancel(true);
				assertThatExceptionOfType(CancellationException.class).isThrownBy(() -> call.get(5, TimeUnit.SECONDS));
				await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
					.until(() -> this.backend.service().attempts("Echo") == 1);
			});
	}

	@Test
	void cancelledContextEndsTheCallDuringTheBackoff() {
		this.backend.service().failNext("Echo", 3, Status.UNAVAILABLE);
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.backoff=1s", "grpc-clients.services[0].retry.jitter=0")
			.run((context) -> {
				Context.CancellableContext cancellable = Context.current().withCancellation();
				ListenableFuture<EchoResponse> call = cancellable.call(() -> future(context).echo(request("x")));
				await().atMost(Duration.ofSeconds(5)).until(() -> this.backend.service().attempts("Echo") == 1);
				long start = System.nanoTime();
				cancellable.cancel(null);
				assertThatExceptionOfType(Exception.class).isThrownBy(() -> call.get(5, TimeUnit.SECONDS))
					.satisfies((ex) -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.CANCELLED));
				assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms to the caller's failure")
					.isLessThan(500);
				await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(2))
					.until(() -> this.backend.service().attempts("Echo") == 1);
			});
	}

	@Test
	void retryWhoseBackoffWouldPassTheDeadlineIsNotMade() {
		this.backend.service().failNext("Echo", 3, Status.UNAVAILABLE.withDescription("overloaded"));
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.backoff=1s", "grpc-clients.services[0].retry.jitter=0")
			.run((context) -> {
				long start = System.nanoTime();
				assertThatExceptionOfType(StatusRuntimeException.class)
					.isThrownBy(() -> blocking(context).withDeadlineAfter(300, TimeUnit.MILLISECONDS).echo(request("x")))
					.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
					.satisfies((ex) -> assertThat(ex.getStatus().getDescription()).isEqualTo("overloaded"));
				long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
				assertThat(millis).as("time to the caller's failure, ms").isLessThan(330);
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
			});
	}

	@Test
	void serverStreamFailingBeforeItsFirstMessageIsRetried() {
		this.backend.service().failNext("ServerStream", 1, Status.UNAVAILABLE);
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			List<String> messages = new ArrayList<>();
			blocking(context).serverStream(EchoRequest.newBuilder().setMessage("s").setCount(3).build())
				.forEachRemaining((response) -> messages.add(response.getMessage()));
			assertThat(messages).containsExactly("s-0", "s-1", "s-2");
			assertThat(this.backend.service().attempts("ServerStream")).isEqualTo(2);
		});
	}

	@Test
	void serverStreamFailingAfterItsFirstMessageIsNotRetried() {
		this.backend.service().failNext("ServerStream.after-first", 1, Status.UNAVAILABLE);
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			List<String> messages = new ArrayList<>();
			Iterator<EchoResponse> stream = blocking(context)
				.serverStream(EchoRequest.newBuilder().setMessage("s").setCount(2).build());
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> stream.forEachRemaining((response) -> messages.add(response.getMessage())))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
			assertThat(messages).containsExactly("s-0", "s-1");
			assertThat(this.backend.service().attempts("ServerStream")).isEqualTo(1);
		});
	}

	@Test
	void clientStreamingAndBidiCallsAreNotRetried() {
		this.backend.service().failNext("ClientStream", 1, Status.UNAVAILABLE);
		this.backend.service().failNext("Bidi", 1, Status.UNAVAILABLE);
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			Outcome upload = new Outcome();
			StreamObserver<EchoRequest> requests = async(context).clientStream(upload);
			requests.onNext(request("a"));
			requests.onCompleted();
			assertThat(upload.status()).isEqualTo(Status.Code.UNAVAILABLE);

			Outcome chat = new Outcome();
			StreamObserver<EchoRequest> conversation = async(context).bidi(chat);
			conversation.onNext(request("a"));
			conversation.onCompleted();
			assertThat(chat.status()).isEqualTo(Status.Code.UNAVAILABLE);

			assertThat(this.backend.service().attempts("ClientStream")).isEqualTo(1);
			assertThat(this.backend.service().attempts("Bidi")).isEqualTo(1);
		});
	}

	@Test
	void idempotentMethodsAlsoRetryTheIdempotentCodes() {
		this.backend.service().failNext("IdempotentEcho", 1, Status.INTERNAL);
		this.backend.service().failNext("Echo", 1, Status.INTERNAL);
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			assertThat(blocking(context).idempotentEcho(request("i")).getMessage()).isEqualTo("i");
			assertThat(this.backend.service().attempts("IdempotentEcho")).isEqualTo(2);
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
		});
	}

	@Test
	void retryCanBeSwitchedOffForOneMethod() {
		this.backend.service().failNext("Echo", 1, Status.UNAVAILABLE);
		this.backend.service().failNext("Slow", 1, Status.UNAVAILABLE);
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.backoff=1ms",
					"grpc-clients.services[0].methods[0].name=" + ECHO,
					"grpc-clients.services[0].methods[0].retry.enabled=false")
			.run((context) -> {
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")));
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
				assertThat(blocking(context).slow(request("y")).getMessage()).isEqualTo("y");
				assertThat(this.backend.service().attempts("Slow")).isEqualTo(2);
			});
	}

	@Test
	void retryBudgetStopsRetryStorms() {
		int calls = 200;
		this.backend.service().failNext("Echo", calls * 3, Status.UNAVAILABLE);
		runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms").run((context) -> {
			List<ListenableFuture<EchoResponse>> inFlight = new ArrayList<>();
			for (int i = 0; i < calls; i++) {
				inFlight.add(future(context).echo(request("load-" + i)));
			}
			for (ListenableFuture<EchoResponse> call : inFlight) {
				assertThatExceptionOfType(Exception.class).isThrownBy(() -> call.get(10, TimeUnit.SECONDS));
			}
			int attempts = this.backend.service().attempts("Echo");
			System.out.printf("retry budget: %d calls, %d attempts (%.3f per call)%n", calls, attempts,
					attempts / (double) calls);
			// 20% of the calls, plus 10 retries a second for as long as the calls take
			assertThat(attempts).isLessThanOrEqualTo((int) (1.3 * calls));
		});
	}

	@Test
	void retryBudgetStopsRetryStormsAgainstADeadBackend() {
		int calls = 200;
		String address = this.backend.address();
		this.backend.stop();
		ResilienceTestSupport.runner(address)
			.withPropertyValues("grpc-clients.services[0].circuit-breaker.enabled=false",
					"grpc-clients.services[0].retry.backoff=1ms")
			.withBean(AttemptCounter.class)
			.run((context) -> {
				List<ListenableFuture<EchoResponse>> inFlight = new ArrayList<>();
				for (int i = 0; i < calls; i++) {
					inFlight.add(future(context).echo(request("dead-" + i)));
				}
				for (ListenableFuture<EchoResponse> call : inFlight) {
					assertThatExceptionOfType(Exception.class).isThrownBy(() -> call.get(10, TimeUnit.SECONDS))
						.satisfies((ex) -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
				}
				int attempts = context.getBean(AttemptCounter.class).attempts.get();
				System.out.printf("retry budget, dead backend: %d calls, %d attempts (%.3f per call)%n", calls, attempts,
						attempts / (double) calls);
				assertThat(attempts).isBetween(calls, (int) (1.3 * calls));
			});
	}

	@Test
	void aBurstOfSimultaneousFailuresAmidHealthyTrafficIsRetried() {
		int healthy = 200;
		int burst = 20;
		runner(this.backend).run((context) -> {
			for (int i = 0; i < healthy; i++) {
				assertThat(blocking(context).echo(request("ok-" + i)).getMessage()).isEqualTo("ok-" + i);
			}
			// the next 20 attempts fail: the first attempts of 20 concurrent calls (their retries come
			// a backoff of about 100 ms later)
			this.backend.service().failNext("Echo", burst, Status.UNAVAILABLE.withDescription("peer went away"));
			List<ListenableFuture<EchoResponse>> inFlight = new ArrayList<>();
			for (int i = 0; i < burst; i++) {
				inFlight.add(future(context).echo(request("burst-" + i)));
			}
			List<String> failed = new ArrayList<>();
			for (ListenableFuture<EchoResponse> call : inFlight) {
				try {
					call.get(10, TimeUnit.SECONDS);
				}
				catch (Exception ex) {
					failed.add(Status.fromThrowable(ex).toString());
				}
			}
			System.out.printf("burst after %d healthy calls: %d of %d calls failed, %d attempts%n", healthy,
					failed.size(), burst, this.backend.service().attempts("Echo") - healthy);
			assertThat(failed).as("calls that failed although retries were left").isEmpty();
		});
	}

	@Test
	void withoutBudgetEveryFailingCallIsRetriedToMaxAttempts() {
		int calls = 50;
		this.backend.service().failNext("Echo", calls * 3, Status.UNAVAILABLE);
		runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.backoff=1ms",
					"grpc-clients.services[0].retry.budget.enabled=false")
			.run((context) -> {
				for (int i = 0; i < calls; i++) {
					assertThatExceptionOfType(StatusRuntimeException.class)
						.isThrownBy(() -> blocking(context).echo(request("x")));
				}
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(calls * 3);
			});
	}

	/** Counts the attempts that reach the network (it runs last in the chain, once per attempt). */
	@GrpcGlobalClientInterceptor
	static final class AttemptCounter implements ClientInterceptor {

		final AtomicInteger attempts = new AtomicInteger();

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
				Channel next) {
			this.attempts.incrementAndGet();
			return next.newCall(method, callOptions);
		}

	}

	/** Waits for the end of a stream. */
	static final class Outcome implements StreamObserver<EchoResponse> {

		private final CompletableFuture<Status.Code> done = new CompletableFuture<>();

		@Override
		public void onNext(EchoResponse value) {
		}

		@Override
		public void onError(Throwable error) {
			this.done.complete(Status.fromThrowable(error).getCode());
		}

		@Override
		public void onCompleted() {
			this.done.complete(Status.Code.OK);
		}

		Status.Code status() throws Exception {
			return this.done.get(10, TimeUnit.SECONDS);
		}

	}

}
