package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.github.rpcclient.resilience.ResilienceTestSupport.future;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Closing the application with calls waiting for a retry, in flight and hedged: every call ends,
 * with a status, within the service's shutdown grace period and one second more.
 */
class ShutdownWithPendingCallsTest {

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	@Test
	void callWaitingForARetryEndsAtShutdownWithoutGracePeriod() {
		this.backend.service().failNext("Echo", 100, Status.UNAVAILABLE);
		ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].shutdown-grace-period=0",
					"grpc-clients.services[0].circuit-breaker.enabled=false",
					"grpc-clients.services[0].retry.backoff=2s", "grpc-clients.services[0].retry.max-backoff=2s")
			.run((context) -> {
				ListenableFuture<EchoResponse> call = future(context).withDeadlineAfter(3, TimeUnit.SECONDS)
					.echo(request("x"));
				await().atMost(Duration.ofSeconds(5)).until(() -> this.backend.service().attempts("Echo") == 1);
				context.close();
				await("the call in backoff to end").atMost(Duration.ofSeconds(1)).until(call::isDone);
				assertThatExceptionOfType(Exception.class).isThrownBy(call::get)
					.havingCause()
					.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
						assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
						assertThat(ex.getStatus().getDescription()).contains("shutting down");
					});
			});
	}

	@Test
	void callsInBackoffInFlightAndHedgedEndWithinTheGracePeriodAndOneSecond() {
		this.backend.service().failNext("Echo", 100, Status.UNAVAILABLE);
		ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].shutdown-grace-period=500ms",
					"grpc-clients.services[0].circuit-breaker.enabled=false",
					"grpc-clients.services[0].retry.backoff=2s", "grpc-clients.services[0].retry.max-backoff=2s",
					"grpc-clients.services[0].hedging.enabled=true", "grpc-clients.services[0].hedging.delay=50ms",
					"grpc-clients.services[0].hedging.max-attempts=3")
			.run((context) -> {
				EchoRequest slow = EchoRequest.newBuilder().setMessage("slow").setSleepMillis(4_000).build();
				ListenableFuture<EchoResponse> inBackoff = future(context).echo(request("x"));
				ListenableFuture<EchoResponse> inFlight = future(context).slow(slow);
				ListenableFuture<EchoResponse> hedged = future(context).idempotentEcho(slow);
				await().atMost(Duration.ofSeconds(5))
					.until(() -> this.backend.service().attempts("Echo") == 1
							&& this.backend.service().attempts("Slow") == 1
							&& this.backend.service().attempts("IdempotentEcho") == 3);
				long start = System.nanoTime();
				context.close();
				for (ListenableFuture<EchoResponse> call : List.of(inBackoff, inFlight, hedged)) {
					await("every call to end").atMost(Duration.ofSeconds(1)).until(call::isDone);
					assertThatExceptionOfType(Exception.class).isThrownBy(call::get)
						.havingCause()
						.isInstanceOf(StatusRuntimeException.class);
				}
				long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
				System.out.printf("shutdown with calls in backoff, in flight and hedged: all ended in %d ms%n", millis);
				assertThat(millis).isLessThan(1500 + 1000);
			});
	}

}
