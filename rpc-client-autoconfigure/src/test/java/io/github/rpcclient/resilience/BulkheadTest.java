package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.rpcclient.channel.GrpcGlobalClientInterceptor;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.GatedEchoBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The bulkhead in front of a real Netty backend whose slow calls end when the test says so: calls
 * over the limit fail at once, and every place taken comes back on every way a call can end.
 */
class BulkheadTest {

	private static final int LIMIT = 3;

	private static final int CALLS = 8;

	private static final String REFUSAL = "gRPC service 'echo' has 3 calls in flight, its limit "
			+ "(grpc-clients.services[echo].bulkhead.max-concurrent-calls=3): the call was not sent";

	@AutoClose
	final GatedEchoBackend backend = GatedEchoBackend.start();

	private ApplicationContextRunner runner() {
		return LimitsTestSupport.runner(this.backend.address(), "grpc-clients.services[0].bulkhead.enabled=true",
				"grpc-clients.services[0].bulkhead.max-concurrent-calls=" + LIMIT,
				"grpc-clients.services[0].retry.backoff=1ms");
	}

	@Test
	void callsOverTheLimitFailAtOnceWhileTheAdmittedOnesRunToSuccess() {
		runner().run((context) -> {
			Bulkhead bulkhead = bulkhead(context);
			ExecutorService callers = Executors.newFixedThreadPool(CALLS);
			try {
				CountDownLatch go = new CountDownLatch(1);
				List<Future<Object>> outcomes = new ArrayList<>();
				for (int i = 0; i < CALLS; i++) {
					String message = "call-" + i;
					outcomes.add(callers.submit(() -> {
						go.await();
						try {
							return blocking(context).slow(request(message));
						}
						catch (StatusRuntimeException ex) {
							return ex;
						}
					}));
				}
				go.countDown();
				await("admitted calls held by the backend, the others refused").atMost(Duration.ofSeconds(10))
					.until(() -> this.backend.slowCalls() == LIMIT && done(outcomes) == CALLS - LIMIT);

				List<Object> refused = outcomes.stream().filter(Future::isDone).map(BulkheadTest::get).toList();
				assertThat(refused).hasSize(CALLS - LIMIT).allSatisfy((outcome) -> assertRefused(outcome));
				assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).as("free places while held").isZero();

				this.backend.open();
				List<Object> all = outcomes.stream().map(BulkheadTest::get).toList();
				assertThat(all).filteredOn(EchoResponse.class::isInstance).hasSize(LIMIT);
				assertThat(all).filteredOn(StatusRuntimeException.class::isInstance).hasSize(CALLS - LIMIT);
				assertThat(this.backend.slowCalls()).as("calls that reached the backend").isEqualTo(LIMIT);
				assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).as("free places after the calls")
					.isEqualTo(LIMIT);
				assertThat(inFlight(context)).isZero();
			}
			finally {
				callers.shutdownNow();
			}
		});
	}

	@Test
	void refusedCallsAreNotRetriedEvenWhenTheirCodeIsRetryable() {
		runner().withPropertyValues("grpc-clients.services[0].retry.retryable-status-codes=RESOURCE_EXHAUSTED")
			.run((context) -> {
				AtomicInteger rejections = new AtomicInteger();
				bulkhead(context).getEventPublisher().onCallRejected((event) -> rejections.incrementAndGet());
				List<ListenableFuture<EchoResponse>> held = holdAll(context);
				for (int i = 0; i < 5; i++) {
					assertRefused(callEcho(context));
				}
				assertThat(rejections).as("bulkhead refusals, one per call").hasValue(5);
				this.backend.open();
				held.forEach(BulkheadTest::get);
			});
	}

	@Test
	void refusalsSendNothingAndTakeLittleTime() {
		runner().withPropertyValues("grpc-clients.logging.enabled=false").run((context) -> {
			List<ListenableFuture<EchoResponse>> held = holdAll(context);
			for (int i = 0; i < 500; i++) {
				callEcho(context);
			}
			int calls = 2000;
			long start = System.nanoTime();
			for (int i = 0; i < calls; i++) {
				assertThat(callEcho(context)).isInstanceOf(StatusRuntimeException.class);
			}
			double micros = (System.nanoTime() - start) / 1000.0 / calls;
			System.out.printf("full bulkhead: %d refused calls, %.1f us per call%n", calls, micros);
			assertThat(this.backend.echoCalls()).as("refused calls that reached the backend").isZero();
			assertThat(inFlight(context)).isEqualTo(LIMIT);
			this.backend.open();
			held.forEach(BulkheadTest::get);
		});
	}

	@Test
	void cancelledCallsGiveTheirPlacesBackAtOnce() {
		runner().run((context) -> {
			List<ListenableFuture<EchoResponse>> held = holdAll(context);
			assertRefused(callEcho(context));
			held.forEach((call) -> call.cancel(true));
			await("places given back by the cancelled calls").atMost(Duration.ofSeconds(5))
				.until(() -> bulkhead(context).getMetrics().getAvailableConcurrentCalls() == LIMIT);
			assertThat(callEcho(context)).isInstanceOf(EchoResponse.class);
			assertThat(inFlight(context)).isZero();
		});
	}

	@Test
	void callsEndedByTheirDeadlineGiveTheirPlacesBack() {
		runner().run((context) -> {
			List<ListenableFuture<EchoResponse>> held = new ArrayList<>();
			for (int i = 0; i < LIMIT; i++) {
				held.add(future(context).withDeadlineAfter(300, TimeUnit.MILLISECONDS).slow(request("held")));
			}
			assertRefused(callEcho(context));
			for (ListenableFuture<EchoResponse> call : held) {
				assertThat(get(call)).isInstanceOfSatisfying(StatusRuntimeException.class,
						(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
			}
			assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).isEqualTo(LIMIT);
		});
	}

	@Test
	void callsFailedByTheBackendStoppingGiveTheirPlacesBack() {
		runner().run((context) -> {
			List<ListenableFuture<EchoResponse>> held = holdAll(context);
			this.backend.stop();
			for (ListenableFuture<EchoResponse> call : held) {
				assertThat(get(call)).isInstanceOfSatisfying(StatusRuntimeException.class,
						(ex) -> assertThat(ex.getStatus().getCode()).isNotEqualTo(Status.Code.OK));
			}
			assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).isEqualTo(LIMIT);
			assertThat(inFlight(context)).isZero();
		});
	}

	@Test
	void aStreamingCallHoldsItsPlaceUntilItEnds() {
		runner().run((context) -> {
			List<AtomicReference<Object>> outcomes = new ArrayList<>();
			List<StreamObserver<EchoRequest>> streams = new ArrayList<>();
			for (int i = 0; i < LIMIT; i++) {
				AtomicReference<Object> outcome = new AtomicReference<>();
				outcomes.add(outcome);
				StreamObserver<EchoRequest> stream = EchoServiceGrpc.newStub(channel(context))
					.clientStream(recording(outcome));
				stream.onNext(request("part-" + i));
				streams.add(stream);
			}
			assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).isZero();
			assertRefused(callEcho(context));

			streams.get(0).onCompleted();
			await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get(0).get() != null);
			assertThat(outcomes.get(0).get()).isInstanceOfSatisfying(EchoResponse.class,
					(response) -> assertThat(response.getMessage()).isEqualTo("part-0"));
			assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
			assertThat(callEcho(context)).isInstanceOf(EchoResponse.class);

			streams.get(1).onError(new IllegalStateException("caller gave up"));
			await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get(1).get() != null);
			assertThat(outcomes.get(1).get()).isInstanceOfSatisfying(StatusRuntimeException.class,
					(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
			assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
			streams.get(2).onCompleted();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> bulkhead(context).getMetrics().getAvailableConcurrentCalls() == LIMIT);
		});
	}

	@Test
	void aCallCancelledBeforeItStartsTakesNoPlace() {
		runner().run((context) -> {
			ClientCall<EchoRequest, EchoResponse> call = channel(context).newCall(EchoServiceGrpc.getEchoMethod(),
					CallOptions.DEFAULT);
			call.cancel("changed my mind", null);
			assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).isEqualTo(LIMIT);

			// grpc-java forbids a start after cancel; should it happen, the call still ends, with CANCELLED
			AtomicReference<Status> closed = new AtomicReference<>();
			call.start(new ClientCall.Listener<>() {

				@Override
				public void onClose(Status status, Metadata trailers) {
					closed.set(status);
				}

			}, new Metadata());
			await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() != null);
			assertThat(closed.get().getCode()).isEqualTo(Status.Code.CANCELLED);
			assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).isEqualTo(LIMIT);
			assertThat(this.backend.echoCalls()).isZero();
			assertThat(inFlight(context)).isZero();
		});
	}

	@Test
	void aCallWhoseStartThrowsGivesItsPlaceBack() {
		runner().withBean(ThrowingInterceptor.class).run((context) -> {
			for (String where : List.of("start", "newCall")) {
				// more calls than places: a place kept by a failed start would refuse the last ones
				for (int i = 0; i < LIMIT + 2; i++) {
					// The retry below the bulkhead turns an attempt that fails to start into INTERNAL.
					assertThatExceptionOfType(StatusRuntimeException.class)
						.isThrownBy(() -> blocking(context).withOption(ThrowingInterceptor.THROW_IN, where)
							.echo(request("x")))
						.satisfies((ex) -> {
							assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
							assertThat(ex.getStatus().getCause()).hasMessage("thrown in " + where);
						});
				}
				assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).as("after throws in %s", where)
					.isEqualTo(LIMIT);
			}
			assertThat(inFlight(context)).as("calls in flight").isZero();
			assertThat(callEcho(context)).isInstanceOf(EchoResponse.class);
		});
	}

	@Test
	void aFallbackAnswersARefusedCall() {
		runner()
			.withBean("echoFallback", GrpcFallback.class,
					() -> GrpcFallback.<EchoRequest, EchoResponse>of("echo", ResilienceTestSupport.ECHO,
							(request, status, trailers) -> EchoResponse.newBuilder()
								.setMessage("fallback:" + status.getCode())
								.build()))
			.run((context) -> {
				holdAll(context);
				assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("fallback:RESOURCE_EXHAUSTED");
				this.backend.open();
			});
	}

	/** Starts as many slow calls as there are places and waits until the backend holds them all. */
	private List<ListenableFuture<EchoResponse>> holdAll(ApplicationContext context) {
		List<ListenableFuture<EchoResponse>> held = new ArrayList<>();
		for (int i = 0; i < LIMIT; i++) {
			held.add(future(context).slow(request("held-" + i)));
		}
		await("slow calls held by the backend").atMost(Duration.ofSeconds(10))
			.until(() -> this.backend.slowCalls() == LIMIT);
		assertThat(bulkhead(context).getMetrics().getAvailableConcurrentCalls()).isZero();
		return held;
	}

	private static void assertRefused(Object outcome) {
		assertThat(outcome).isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
			assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
			assertThat(ex.getStatus().getDescription()).isEqualTo(REFUSAL);
			assertThat(ex.getStatus().getCause()).isInstanceOf(BulkheadFullException.class);
		});
	}

	private static Object callEcho(ApplicationContext context) {
		try {
			return blocking(context).echo(request("echo"));
		}
		catch (StatusRuntimeException ex) {
			return ex;
		}
	}

	private static <T> StreamObserver<T> recording(AtomicReference<Object> outcome) {
		return new StreamObserver<>() {

			@Override
			public void onNext(T value) {
				outcome.set(value);
			}

			@Override
			public void onError(Throwable error) {
				outcome.set(error);
			}

			@Override
			public void onCompleted() {
			}

		};
	}

	private static int done(List<? extends Future<?>> futures) {
		return (int) futures.stream().filter(Future::isDone).count();
	}

	private static Object get(Future<?> future) {
		try {
			return future.get(10, TimeUnit.SECONDS);
		}
		catch (java.util.concurrent.ExecutionException ex) {
			return ex.getCause();
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
	}

	private static Bulkhead bulkhead(ApplicationContext context) {
		return context.getBean(BulkheadRegistry.class).find("echo").orElseThrow();
	}

	private static Channel channel(ApplicationContext context) {
		return context.getBean(ManagedChannelRegistry.class).getCallChannel("echo");
	}

	private static long inFlight(ApplicationContext context) {
		return context.getBean(ManagedChannelRegistry.class).get("echo").inFlightCalls().getAsLong();
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub blocking(ApplicationContext context) {
		return EchoServiceGrpc.newBlockingStub(channel(context));
	}

	private static EchoServiceGrpc.EchoServiceFutureStub future(ApplicationContext context) {
		return EchoServiceGrpc.newFutureStub(channel(context));
	}

	/**
	 * A global interceptor (so below retry and the breaker) that throws, in {@code newCall} or in
	 * {@code start}, for calls carrying {@link #THROW_IN}.
	 */
	@GrpcGlobalClientInterceptor
	static class ThrowingInterceptor implements ClientInterceptor {

		static final CallOptions.Key<String> THROW_IN = CallOptions.Key.create("throw-in");

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
				Channel next) {
			String where = callOptions.getOption(THROW_IN);
			if ("newCall".equals(where)) {
				throw new IllegalStateException("thrown in newCall");
			}
			if ("start".equals(where)) {
				return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {

					@Override
					public void start(Listener<R> responseListener, Metadata headers) {
						throw new IllegalStateException("thrown in start");
					}

				};
			}
			return next.newCall(method, callOptions);
		}

	}

}
