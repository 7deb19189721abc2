package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.rpcclient.channel.GrpcGlobalClientInterceptor;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.EchoBackendExtension;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Every breaker permission a call acquires ends exactly once, on every path a call can take:
 * success, recorded failure, client error, cancellation before and after start, a {@code start}
 * or {@code newCall} that throws below the breaker (a {@link GrpcGlobalClientInterceptor global
 * interceptor} here), and streams.
 */
class CircuitBreakerPermissionTest {

	/** Makes the {@link Thrower} throw from {@code start}. */
	static final CallOptions.Key<Boolean> THROW_IN_START = CallOptions.Key.create("throw-in-start");

	/** Makes the {@link Thrower} throw from {@code interceptCall}. */
	static final CallOptions.Key<Boolean> THROW_IN_NEW_CALL = CallOptions.Key.create("throw-in-new-call");

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	private ApplicationContextRunner runner(String... properties) {
		return ResilienceTestSupport.runner(this.backend)
			.withUserConfiguration(Thrower.class)
			.withPropertyValues("grpc-clients.logging.enabled=false", "grpc-clients.services[0].retry.enabled=false",
					"grpc-clients.services[0].shutdown-grace-period=0s",
					"grpc-clients.services[0].circuit-breaker.failure-rate-threshold=50",
					"grpc-clients.services[0].circuit-breaker.wait-duration-in-open-state=300ms",
					"grpc-clients.services[0].circuit-breaker.permitted-number-of-calls-in-half-open-state=2")
			.withPropertyValues(properties);
	}

	@Test
	void startThrowingBelowTheBreakerDuringTheHalfOpenProbeDoesNotLeaveItHalfOpen() {
		this.backend.service().failNext("Echo", 4, Status.INTERNAL);
		runner("grpc-clients.services[0].circuit-breaker.sliding-window-size=4",
				"grpc-clients.services[0].circuit-breaker.minimum-number-of-calls=4")
			.run((context) -> {
				CircuitBreaker breaker = breaker(context);
				for (int i = 0; i < 4; i++) {
					assertThatExceptionOfType(StatusRuntimeException.class)
						.isThrownBy(() -> blocking(context).echo(request("x")));
				}
				assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
				Thrower thrower = context.getBean(Thrower.class);
				thrower.throwOnce.set(true);
				// Calls refused while OPEN never reach the interceptor; the first one let through
				// (the half-open probe) does, and its start throws.
				await("the half-open probe").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
					try {
						blocking(context).echo(request("probe"));
						return true;
					}
					catch (StatusRuntimeException ex) {
						assertThat(ex.getStatus().getCause()).isInstanceOf(CallNotPermittedException.class);
						return false;
					}
					catch (IllegalStateException ex) {
						return true;
					}
				});
				assertThat(thrower.throwOnce).isFalse();
				assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
				assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).as("the probe that threw is not recorded")
					.isZero();
				assertThat(blocking(context).echo(request("a")).getMessage()).isEqualTo("a");
				assertThat(blocking(context).echo(request("b")).getMessage()).isEqualTo("b");
				assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
				assertThat(blocking(context).echo(request("c")).getMessage()).isEqualTo("c");
			});
	}

	@Test
	void metricsMatchTheOutcomesOfCallsTakingEveryPathConcurrently() {
		int rounds = 40;
		int threads = 4;
		int calls = rounds * threads;
		this.backend.service().failNext("IdempotentEcho", calls, Status.INTERNAL);
		this.backend.service().failNext("Slow", calls, Status.INVALID_ARGUMENT);
		runner("grpc-clients.services[0].circuit-breaker.sliding-window-size=10000",
				"grpc-clients.services[0].circuit-breaker.minimum-number-of-calls=10000")
			.run((context) -> {
				CircuitBreaker breaker = breaker(context);
				ExecutorService pool = Executors.newFixedThreadPool(threads);
				try {
					List<Future<?>> done = new ArrayList<>();
					for (int t = 0; t < threads; t++) {
						done.add(pool.submit(() -> {
							for (int i = 0; i < rounds; i++) {
								everyPath(context);
							}
							return null;
						}));
					}
					for (Future<?> future : done) {
						future.get(60, TimeUnit.SECONDS);
					}
				}
				finally {
					pool.shutdownNow();
				}
				CircuitBreaker.Metrics metrics = breaker.getMetrics();
				// recorded per round: echo, bidi, client error (successes); INTERNAL (failure)
				assertThat(metrics.getNumberOfSuccessfulCalls()).isEqualTo(3 * calls);
				assertThat(metrics.getNumberOfFailedCalls()).isEqualTo(calls);
				assertThat(metrics.getNumberOfBufferedCalls()).isEqualTo(4 * calls);
				assertThat(metrics.getNumberOfNotPermittedCalls()).isZero();
				assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			});
	}

	@Test
	void halfOpenPermitsComeBackFromEveryPathThatRecordsNothing() {
		runner("grpc-clients.services[0].circuit-breaker.sliding-window-size=10",
				"grpc-clients.services[0].circuit-breaker.minimum-number-of-calls=10")
			.run((context) -> {
				CircuitBreaker breaker = breaker(context);
				breaker.transitionToOpenState();
				breaker.transitionToHalfOpenState();
				for (int i = 0; i < 5; i++) {
					cancelBeforeStart(context);
					cancelAfterStart(context);
					startThatThrows(context);
					newCallThatThrows(context);
				}
				assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
				assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isZero();
				assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).as("calls refused while half-open")
					.isZero();
				assertThat(blocking(context).echo(request("a")).getMessage()).isEqualTo("a");
				assertThat(blocking(context).echo(request("b")).getMessage()).isEqualTo("b");
				assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			});
	}

	private static void everyPath(ApplicationContext context) throws InterruptedException {
		assertThat(blocking(context).echo(request("ok")).getMessage()).isEqualTo("ok");
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> blocking(context).idempotentEcho(request("fails")))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).slow(request("bad")))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
		bidi(context);
		cancelBeforeStart(context);
		cancelAfterStart(context);
		startThatThrows(context);
		newCallThatThrows(context);
	}

	private static void bidi(ApplicationContext context) throws InterruptedException {
		CountDownLatch completed = new CountDownLatch(1);
		StreamObserver<EchoRequest> requests = EchoServiceGrpc
			.newStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"))
			.bidi(new StreamObserver<>() {

				@Override
				public void onNext(EchoResponse value) {
				}

				@Override
				public void onError(Throwable error) {
				}

				@Override
				public void onCompleted() {
					completed.countDown();
				}

			});
		requests.onNext(request("one"));
		requests.onCompleted();
		assertThat(completed.await(10, TimeUnit.SECONDS)).as("bidi completed").isTrue();
	}

	private static void cancelBeforeStart(ApplicationContext context) {
		newCall(context, CallOptions.DEFAULT).cancel("not needed after all", null);
	}

	private static void cancelAfterStart(ApplicationContext context) throws InterruptedException {
		ClientCall<EchoRequest, EchoResponse> call = newCall(context, CallOptions.DEFAULT);
		ClosedListener listener = new ClosedListener();
		call.start(listener, new Metadata());
		call.cancel("changed my mind", null);
		assertThat(listener.closed.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(listener.status.getCode()).isEqualTo(Status.Code.CANCELLED);
	}

	private static void startThatThrows(ApplicationContext context) {
		ClientCall<EchoRequest, EchoResponse> call = newCall(context,
				CallOptions.DEFAULT.withOption(THROW_IN_START, true));
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> {
			try {
				call.start(new ClosedListener(), new Metadata());
			}
			catch (RuntimeException ex) {
				// what grpc-java's ClientCalls do when start throws
				call.cancel(null, ex);
				throw ex;
			}
		});
	}

	private static void newCallThatThrows(ApplicationContext context) {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> newCall(context, CallOptions.DEFAULT.withOption(THROW_IN_NEW_CALL, true)));
	}

	private static ClientCall<EchoRequest, EchoResponse> newCall(ApplicationContext context, CallOptions options) {
		return context.getBean(ManagedChannelRegistry.class)
			.getCallChannel("echo")
			.newCall(EchoServiceGrpc.getEchoMethod(), options);
	}

	private static CircuitBreaker breaker(ApplicationContext context) {
		return context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
	}

	static final class ClosedListener extends ClientCall.Listener<EchoResponse> {

		final CountDownLatch closed = new CountDownLatch(1);

		volatile Status status;

		@Override
		public void onClose(Status status, Metadata trailers) {
			this.status = status;
			this.closed.countDown();
		}

	}

	/**
	 * A global interceptor, so below the breaker, that throws from {@code interceptCall} or
	 * {@code start} when the call options ask for it, or from the next {@code start} once armed.
	 */
	@GrpcGlobalClientInterceptor
	static class Thrower implements ClientInterceptor {

		final AtomicBoolean throwOnce = new AtomicBoolean();

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
				Channel next) {
			if (Boolean.TRUE.equals(callOptions.getOption(THROW_IN_NEW_CALL))) {
				throw new IllegalStateException("newCall failed on purpose");
			}
			return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {

				@Override
				public void start(Listener<R> listener, Metadata headers) {
					if (Boolean.TRUE.equals(callOptions.getOption(THROW_IN_START))
							|| Thrower.this.throwOnce.compareAndSet(true, false)) {
						throw new IllegalStateException("start failed on purpose");
					}
					super.start(listener, headers);
				}

			};
		}

	}

}
