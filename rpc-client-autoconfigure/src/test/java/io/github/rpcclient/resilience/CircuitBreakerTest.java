package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.future;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The circuit breaker in front of a real Netty backend that is stopped, restarted or fails on
 * purpose.
 */
class CircuitBreakerTest {

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();


	private ApplicationContextRunner runner() {
		return ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.enabled=false",
					"grpc-clients.services[0].circuit-breaker.sliding-window-size=4",
					"grpc-clients.services[0].circuit-breaker.minimum-number-of-calls=4",
					"grpc-clients.services[0].circuit-breaker.failure-rate-threshold=50",
					"grpc-clients.services[0].circuit-breaker.wait-duration-in-open-state=500ms",
					"grpc-clients.services[0].circuit-breaker.permitted-number-of-calls-in-half-open-state=2");
	}

	@Test
	void stoppedBackendOpensTheBreakerWhichFailsFastUntilItHalfOpensAndCloses() {
		// the wait in open state outlasts the test: it half-opens when told, however loaded the
		// machine (CircuitBreakerPermissionTest lets a wait pass)
		runner().withPropertyValues("grpc-clients.logging.enabled=false",
				"grpc-clients.services[0].circuit-breaker.wait-duration-in-open-state=60s").run((context) -> {
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
			assertThat(blocking(context).echo(request("up")).getMessage()).isEqualTo("up");
			this.backend.stop();
			for (int i = 0; i < 4; i++) {
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
					.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
			}
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
			ManagedChannelRegistry channels = context.getBean(ManagedChannelRegistry.class);
			await("the channel of the open breaker to go idle").atMost(Duration.ofSeconds(5))
				.until(() -> channels.getState("echo") == ConnectivityState.IDLE);

			this.backend.restart();
			int attemptsBefore = this.backend.service().attempts("Echo");
			int calls = 1000;
			StatusRuntimeException last = null;
			for (int i = 0; i < 500; i++) {
				catchThrowableOfType(StatusRuntimeException.class, () -> blocking(context).echo(request("warm-up")));
			}
			long start = System.nanoTime();
			for (int i = 0; i < calls; i++) {
				last = catchThrowableOfType(StatusRuntimeException.class, () -> blocking(context).echo(request("x")));
			}
			double micros = (System.nanoTime() - start) / 1000.0 / calls;
			System.out.printf("open breaker: %d refused calls, %.1f us per call%n", calls, micros);
			// a sanity bound only (a shared 2-core machine may be loaded); what matters is that
			// nothing reaches the network, asserted below
			assertThat(micros).as("mean time of a refused call, us").isLessThan(10_000);
			assertThat(last.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
			assertThat(last.getStatus().getDescription()).contains("'echo'").contains("OPEN");
			assertThat(last.getStatus().getCause()).isInstanceOf(CallNotPermittedException.class);
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
			assertThat(this.backend.service().attempts("Echo")).as("calls that reached the server while open")
				.isEqualTo(attemptsBefore);
			// The channel itself stays idle. The number of connections to the restarted server is not
			// asserted: grpc-java shuts down the subchannels of a channel entering idle only 5 s later
			// (ManagedChannelImpl.SUBCHANNEL_SHUTDOWN_DELAY_SECONDS), and until then one that was
			// reconnecting to the stopped backend may still complete a connection.
			assertThat(channels.getState("echo")).isEqualTo(ConnectivityState.IDLE);

			breaker.transitionToHalfOpenState();
			assertThat(blocking(context).echo(request("probe")).getMessage()).isEqualTo("probe");
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
			assertThat(blocking(context).echo(request("again")).getMessage()).isEqualTo("again");
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		});
	}

	@Test
	void clientErrorsNeverOpenTheBreaker() {
		this.backend.service().failNext("Echo", 20, Status.INVALID_ARGUMENT);
		this.backend.service().failNext("Slow", 20, Status.NOT_FOUND);
		runner().run((context) -> {
			for (int i = 0; i < 20; i++) {
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")));
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).slow(request("x")));
			}
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(20);
		});
	}

	@Test
	void serverFailuresOpenTheBreaker() {
		this.backend.service().failNext("Echo", 4, Status.INTERNAL);
		runner().run((context) -> {
			for (int i = 0; i < 4; i++) {
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")));
			}
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
				.satisfies((ex) -> assertThat(ex.getStatus().getCause()).isInstanceOf(CallNotPermittedException.class));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(4);
		});
	}

	@Test
	void callerCancellationIsNotCounted() {
		runner().run((context) -> {
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
			ListenableFuture<EchoResponse> call = future(context)
				.slow(EchoRequest.newBuilder().setMessage("slow").setSleepMillis(2000).build());
			await().atMost(Duration.ofSeconds(5)).until(() -> this.backend.service().attempts("Slow") == 1);
			call.cancel(true);
			await().atMost(Duration.ofSeconds(5)).until(call::isDone);
			assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isZero();
			assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).isZero();
		});
	}

	@Test
	void slowCallsOpenTheBreakerAsResilience4jJudgesThem() {
		runner()
			.withPropertyValues("grpc-clients.services[0].circuit-breaker.slow-call-duration-threshold=50ms",
					"grpc-clients.services[0].circuit-breaker.slow-call-rate-threshold=50")
			.run((context) -> {
				for (int i = 0; i < 4; i++) {
					blocking(context).slow(EchoRequest.newBuilder().setMessage("s").setSleepMillis(80).build());
				}
				CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
				assertThat(breaker.getMetrics().getNumberOfSlowSuccessfulCalls()).isEqualTo(4);
				assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
			});
	}

	@Test
	void refusalNamesTheStateThatRefusedTheCallThoughTheBreakerHasChangedSince() {
		runner().run((context) -> {
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
			AtomicReference<CircuitBreaker.State> switchTo = new AtomicReference<>();
			// consumers of this event run inside the refusal, after the state refused the call
			breaker.getEventPublisher().onCallNotPermitted((event) -> {
				CircuitBreaker.State target = switchTo.getAndSet(null);
				if (target == CircuitBreaker.State.CLOSED) {
					breaker.transitionToClosedState();
				}
				else if (target == CircuitBreaker.State.OPEN) {
					breaker.transitionToOpenState();
				}
			});
			breaker.transitionToOpenState();
			switchTo.set(CircuitBreaker.State.CLOSED);
			assertThat(refusedCall(context).getStatus().getDescription())
				.isEqualTo("Circuit breaker 'echo' of gRPC service 'echo' is OPEN: the call was not sent");
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

			breaker.transitionToOpenState();
			breaker.transitionToHalfOpenState();
			assertThat(breaker.tryAcquirePermission()).isTrue();
			assertThat(breaker.tryAcquirePermission()).isTrue();
			switchTo.set(CircuitBreaker.State.OPEN);
			assertThat(refusedCall(context).getStatus().getDescription())
				.isEqualTo("Circuit breaker 'echo' of gRPC service 'echo' is HALF_OPEN: the call was not sent");
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
			assertThat(this.backend.service().attempts("Echo")).isZero();
		});
	}

	private static StatusRuntimeException refusedCall(ApplicationContext context) {
		StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
				() -> blocking(context).echo(request("x")));
		assertThat(refused).isNotNull();
		assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
		assertThat(refused.getStatus().getCause()).isInstanceOf(CallNotPermittedException.class);
		return refused;
	}

	@Test
	void openBreakerEndsRetryingAtOnce() {
		ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.backoff=1s", "grpc-clients.services[0].retry.max-attempts=5")
			.run((context) -> {
				context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo").transitionToOpenState();
				long start = System.nanoTime();
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
					.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
				assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(500);
				assertThat(this.backend.service().attempts("Echo")).isZero();
			});
	}

	@Test
	void breakerOpeningDuringRetriesStopsThem() {
		this.backend.service().failNext("Echo", 10, Status.UNAVAILABLE);
		ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.backoff=1ms", "grpc-clients.services[0].retry.max-attempts=10",
					"grpc-clients.services[0].retry.budget.enabled=false",
					"grpc-clients.services[0].circuit-breaker.sliding-window-size=3",
					"grpc-clients.services[0].circuit-breaker.minimum-number-of-calls=3")
			.run((context) -> {
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
					.satisfies((ex) -> assertThat(ex.getStatus().getCause()).isInstanceOf(CallNotPermittedException.class));
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(3);
			});
	}

	@Test
	void statefulCallsHaveABreakerPerPodThatCanBeRemoved() {
		runner().run((context) -> {
			blocking(context).withOption(StatefulRouting.POD, 3).echo(request("x"));
			CircuitBreakerRegistry registry = context.getBean(CircuitBreakerRegistry.class);
			assertThat(registry.find("echo#3")).isPresent();
			assertThat(registry.find("echo").orElseThrow().getMetrics().getNumberOfBufferedCalls()).isZero();
			context.getBean(CircuitBreakerInstances.class).removePodBreaker("echo", 3);
			assertThat(registry.find("echo#3")).isEmpty();
		});
	}

	@Test
	void breakerCanBeSwitchedOffForAService() {
		this.backend.service().failNext("Echo", 10, Status.INTERNAL);
		runner().withPropertyValues("grpc-clients.services[0].circuit-breaker.enabled=false").run((context) -> {
			for (int i = 0; i < 10; i++) {
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
					.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
			}
			assertThat(context.getBean(CircuitBreakerRegistry.class).find("echo")).isEmpty();
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(10);
		});
	}

}
