package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.rpcclient.resilience.ResilienceTestSupport.async;
import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What the breaker counts for each call type: a unary call by its status and its duration (the
 * slow-call rules apply), a stream by its status only, however long it lasts.
 */
class CircuitBreakerCallTypesTest {

	private static final long LONGER_THAN_THRESHOLD = TimeUnit.MILLISECONDS.toNanos(120);

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	private ApplicationContextRunner runner() {
		return ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.logging.enabled=false", "grpc-clients.services[0].retry.enabled=false",
					"grpc-clients.services[0].circuit-breaker.sliding-window-size=3",
					"grpc-clients.services[0].circuit-breaker.minimum-number-of-calls=3",
					"grpc-clients.services[0].circuit-breaker.slow-call-duration-threshold=50ms",
					"grpc-clients.services[0].circuit-breaker.wait-duration-in-open-state=60s");
	}

	@Test
	void longHealthyServerStreamsDoNotOpenTheBreaker() {
		runner().run((context) -> {
			for (int i = 0; i < 3; i++) {
				long start = System.nanoTime();
				Iterator<EchoResponse> responses = blocking(context)
					.serverStream(EchoRequest.newBuilder().setMessage("s").setCount(3).setSleepMillis(40).build());
				responses.forEachRemaining((response) -> assertThat(response.getMessage()).startsWith("s-"));
				assertThat(System.nanoTime() - start).as("stream duration").isGreaterThan(LONGER_THAN_THRESHOLD);
			}
			assertHealthyAfterThreeStreams(context);
		});
	}

	@Test
	void longHealthyBidiStreamsDoNotOpenTheBreaker() {
		runner().run((context) -> {
			for (int i = 0; i < 3; i++) {
				longBidi(context);
			}
			assertHealthyAfterThreeStreams(context);
		});
	}

	@Test
	void longHealthyClientStreamsDoNotOpenTheBreaker() {
		runner().run((context) -> {
			for (int i = 0; i < 3; i++) {
				Outcome outcome = new Outcome();
				long start = System.nanoTime();
				StreamObserver<EchoRequest> upload = async(context).clientStream(outcome);
				upload.onNext(request("a"));
				await().atMost(Duration.ofSeconds(5))
					.until(() -> System.nanoTime() - start > LONGER_THAN_THRESHOLD);
				upload.onNext(request("b"));
				upload.onCompleted();
				assertThat(outcome.get(10, TimeUnit.SECONDS)).isNull();
			}
			assertHealthyAfterThreeStreams(context);
		});
	}

	@Test
	void streamsEndingInARecordedStatusAreFailures() {
		this.backend.service().failNext("ServerStream.after-first", 3, Status.INTERNAL);
		runner().run((context) -> {
			for (int i = 0; i < 3; i++) {
				Iterator<EchoResponse> responses = blocking(context)
					.serverStream(EchoRequest.newBuilder().setMessage("s").setCount(1).build());
				assertThat(responses.next().getMessage()).isEqualTo("s-0");
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(responses::hasNext)
					.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
			}
			CircuitBreaker breaker = breaker(context);
			assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(3);
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
		});
	}

	@Test
	void slowUnaryCallsStillOpenTheBreaker() {
		runner().run((context) -> {
			for (int i = 0; i < 3; i++) {
				blocking(context).slow(EchoRequest.newBuilder().setMessage("s").setSleepMillis(80).build());
			}
			CircuitBreaker breaker = breaker(context);
			assertThat(breaker.getMetrics().getNumberOfSlowSuccessfulCalls()).isEqualTo(3);
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
		});
	}

	private void assertHealthyAfterThreeStreams(ApplicationContext context) {
		CircuitBreaker breaker = breaker(context);
		assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(3);
		assertThat(breaker.getMetrics().getNumberOfSlowCalls()).isZero();
		assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(blocking(context).echo(request("unary")).getMessage()).isEqualTo("unary");
	}

	/** A bidi stream that exchanges a message, stays open past the threshold, then ends. */
	private static void longBidi(ApplicationContext context) throws Exception {
		Outcome outcome = new Outcome();
		long start = System.nanoTime();
		StreamObserver<EchoRequest> conversation = async(context).bidi(outcome);
		conversation.onNext(request("hello"));
		await().atMost(Duration.ofSeconds(5)).until(() -> outcome.responses > 0);
		await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - start > LONGER_THAN_THRESHOLD);
		conversation.onNext(request("bye"));
		conversation.onCompleted();
		assertThat(outcome.get(10, TimeUnit.SECONDS)).isNull();
		assertThat(outcome.responses).isEqualTo(2);
	}

	private static CircuitBreaker breaker(ApplicationContext context) {
		return context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
	}

	/** Completes with {@code null} when the stream completes, or with the error. */
	static final class Outcome extends CompletableFuture<Throwable> implements StreamObserver<EchoResponse> {

		volatile int responses;

		@Override
		public void onNext(EchoResponse value) {
			this.responses++;
		}

		@Override
		public void onError(Throwable error) {
			complete(error);
		}

		@Override
		public void onCompleted() {
			complete(null);
		}

	}

}
