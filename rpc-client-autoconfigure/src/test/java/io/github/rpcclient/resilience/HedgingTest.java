package io.github.rpcclient.resilience;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.settings.InvalidServiceConfigurationException;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Hedging of idempotent calls against a real Netty backend with a slow tail.
 */
class HedgingTest {

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	private ApplicationContextRunner runner(String... properties) {
		return ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].circuit-breaker.enabled=false",
					"grpc-clients.services[0].hedging.enabled=true", "grpc-clients.services[0].hedging.delay=50ms",
					"grpc-clients.services[0].hedging.max-attempts=3")
			.withPropertyValues(properties);
	}

	@Test
	void hedgingCutsTheSlowTailWithinTheAttemptBound() {
		int calls = 300;
		this.backend.service().slowEvery("IdempotentEcho", 20, 400);
		long[] plain = latencies(ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].circuit-breaker.enabled=false"), calls);
		int plainAttempts = this.backend.service().attempts("IdempotentEcho");
		long[] hedged = latencies(runner(), calls);
		int hedgedAttempts = this.backend.service().attempts("IdempotentEcho") - plainAttempts;
		long plainP99 = percentile(plain, 0.99);
		long hedgedP99 = percentile(hedged, 0.99);
		System.out.printf("hedging, %d calls, every 20th attempt 400 ms late: p50 %d -> %d us, p99 %d -> %d us, "
				+ "attempts %d -> %d%n", calls, percentile(plain, 0.5), percentile(hedged, 0.5), plainP99, hedgedP99,
				plainAttempts, hedgedAttempts);
		assertThat(plainP99).isGreaterThan(TimeUnit.MILLISECONDS.toMicros(400));
		assertThat(hedgedP99).as("p99 with hedging").isLessThan(plainP99 / 2);
		assertThat(hedgedAttempts).as("attempts with hedging").isLessThanOrEqualTo(3 * calls);
		assertThat(hedgedAttempts - calls).as("hedged attempts beyond the first").isLessThan(calls / 5);
	}

	private long[] latencies(ApplicationContextRunner runner, int calls) {
		long[] micros = new long[calls];
		runner.run((context) -> {
			for (int i = 0; i < 20; i++) {
				blocking(context).idempotentEcho(request("warm-up"));
			}
			for (int i = 0; i < calls; i++) {
				long start = System.nanoTime();
				assertThat(blocking(context).idempotentEcho(request("x" + i)).getMessage()).isEqualTo("x" + i);
				micros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
			}
		});
		return micros;
	}

	private static long percentile(long[] values, double fraction) {
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)];
	}

	@Test
	void firstAnswerWinsAndTheOtherAttemptsAreCancelled() {
		this.backend.service().slowEvery("IdempotentEcho", 2, 2000);
		runner().run((context) -> {
			long start = System.nanoTime();
			assertThat(blocking(context).idempotentEcho(request("x")).getMessage()).isEqualTo("x");
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500);
			assertThat(this.backend.service().attempts("IdempotentEcho")).isEqualTo(2);
		});
	}

	@Test
	void nonFatalFailureBringsTheNextAttemptForwardAndAFatalOneEndsTheCall() {
		this.backend.service().failNext("IdempotentEcho", 2, Status.UNAVAILABLE);
		runner("grpc-clients.services[0].hedging.delay=10s").run((context) -> {
			long start = System.nanoTime();
			assertThat(blocking(context).idempotentEcho(request("x")).getMessage()).isEqualTo("x");
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("no 10 s hedging delay waited")
				.isLessThan(5000);
			assertThat(this.backend.service().attempts("IdempotentEcho")).isEqualTo(3);

			this.backend.service().failNext("IdempotentEcho", 1, Status.INVALID_ARGUMENT);
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> blocking(context).idempotentEcho(request("y")))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
			assertThat(this.backend.service().attempts("IdempotentEcho")).isEqualTo(4);
		});
	}

	@Test
	void negativePushbackStopsHedging() {
		Metadata trailers = new Metadata();
		trailers.put(RetryOutcome.PUSHBACK, "-1");
		this.backend.service().faultNext("IdempotentEcho", 1, false, Status.UNAVAILABLE, trailers);
		runner("grpc-clients.services[0].hedging.delay=10s").run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> blocking(context).idempotentEcho(request("x")));
			assertThat(this.backend.service().attempts("IdempotentEcho")).isEqualTo(1);
		});
	}

	@Test
	void serviceHedgingAppliesToIdempotentMethodsOnlyAndAMethodCanAskForIt() {
		this.backend.service().failNext("Echo", 1, Status.UNAVAILABLE);
		EchoRequest slow = EchoRequest.newBuilder().setMessage("slow").setSleepMillis(300).build();
		runner("grpc-clients.services[0].retry.enabled=false").run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")));
			assertThat(this.backend.service().attempts("Echo")).as("a non-idempotent method is not hedged").isEqualTo(1);
			blocking(context).slow(slow);
			assertThat(this.backend.service().attempts("Slow")).isEqualTo(1);
		});
		runner("grpc-clients.services[0].methods[0].name=rpcclient.test.EchoService/Slow",
				"grpc-clients.services[0].methods[0].hedging.enabled=true",
				"grpc-clients.services[0].methods[0].hedging.max-attempts=2")
			.run((context) -> {
				blocking(context).slow(slow);
				assertThat(this.backend.service().attempts("Slow")).as("explicitly hedged").isEqualTo(1 + 2);
			});
	}

	@Test
	void aMethodCannotBeRetriedAndHedged() {
		runner("grpc-clients.services[0].methods[0].name=rpcclient.test.EchoService/Slow",
				"grpc-clients.services[0].methods[0].hedging.enabled=true",
				"grpc-clients.services[0].methods[0].retry.max-attempts=4")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidServiceConfigurationException.class)
					.hasMessageContaining("grpc-clients.services[0].methods[0].hedging.enabled")
					.hasMessageContaining("either retried or hedged");
			});
	}

	@Test
	void hedgedAttemptsDrawOnTheRetryBudget() {
		this.backend.service().slowEvery("IdempotentEcho", 1, 200);
		runner("grpc-clients.services[0].hedging.delay=20ms", "grpc-clients.services[0].retry.budget.ratio=0",
				"grpc-clients.services[0].retry.budget.min-retries-per-second=1")
			.run((context) -> {
				for (int i = 0; i < 10; i++) {
					blocking(context).idempotentEcho(request("x"));
				}
				int attempts = this.backend.service().attempts("IdempotentEcho");
				System.out.printf("hedging against a slow backend with a budget of 1 retry per second: 10 calls, "
						+ "%d attempts%n", attempts);
				// 10 calls of 200 ms: about 2 seconds, so about 2 hedges (3 per call without a budget).
				assertThat(attempts).isBetween(10 + 1, 10 + 5);
			});
	}

}
