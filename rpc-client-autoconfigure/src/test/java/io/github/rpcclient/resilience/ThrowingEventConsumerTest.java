package io.github.rpcclient.resilience;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resilience4j hands its events to the application's consumers on the call's own path, and its
 * retry, bulkhead and rate limiter do not catch what a consumer throws (its circuit breaker does).
 * A consumer that throws is the application's bug, but it must not leave a caller waiting forever,
 * keep a bulkhead place, throw out of a call or change what Resilience4j decided: every call still ends with exactly one
 * status, over a real Netty backend with the whole chain and Resilience4j's own Spring Boot
 * auto-configuration.
 */
class ThrowingEventConsumerTest {

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	@Test
	void aRetryConsumerThatThrowsOnARetryLeavesTheRetryToGoOn() {
		runner().run((context) -> {
			retry(context).getEventPublisher().onRetry((event) -> {
				throw new IllegalStateException("consumer bug");
			});
			this.backend.service().failNext("Echo", 1, Status.UNAVAILABLE.withDescription("down"));
			assertThat(outcome(context, "retried")).isEqualTo("retried");
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(2);
		});
	}

	@Test
	void aRetryConsumerThatThrowsOnTheSuccessOfARetriedCallLetsTheResponseThrough() {
		runner().run((context) -> {
			retry(context).getEventPublisher().onSuccess((event) -> {
				throw new IllegalStateException("consumer bug");
			});
			this.backend.service().failNext("Echo", 1, Status.UNAVAILABLE);
			assertThat(outcome(context, "after a retry")).isEqualTo("after a retry");
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(2);
		});
	}

	@Test
	void aRetryConsumerThatThrowsOnTheFinalErrorEndsTheCallWithThatError() {
		runner().run((context) -> {
			retry(context).getEventPublisher().onError((event) -> {
				throw new IllegalStateException("consumer bug");
			});
			this.backend.service().failNext("Echo", 5, Status.UNAVAILABLE.withDescription("down"));
			Object outcome = outcome(context, "x");
			assertThat(outcome).isInstanceOfSatisfying(StatusRuntimeException.class,
					(ex) -> assertThat(ex.getStatus().getDescription()).isEqualTo("down"));
		});
	}

	@Test
	void aBulkheadConsumerThatThrowsWhenACallFinishesLetsTheResponseThroughAndGivesThePlaceBack() {
		assertBulkheadCallsRunAndGivePlacesBack((events) -> events.onCallFinished((event) -> {
			throw new IllegalStateException("consumer bug");
		}));
	}

	@Test
	void aBulkheadConsumerThatThrowsWhenACallIsPermittedLetsTheCallRunAndGivesThePlaceBack() {
		assertBulkheadCallsRunAndGivePlacesBack((events) -> events.onCallPermitted((event) -> {
			throw new IllegalStateException("consumer bug");
		}));
	}

	/** Three calls through a bulkhead of two places with the consumer registered, one after another. */
	private void assertBulkheadCallsRunAndGivePlacesBack(Consumer<Bulkhead.EventPublisher> registerConsumer) {
		runner("grpc-clients.services[0].bulkhead.enabled=true",
				"grpc-clients.services[0].bulkhead.max-concurrent-calls=2")
			.run((context) -> {
				Bulkhead bulkhead = context.getBean(BulkheadRegistry.class).find("echo").orElseThrow();
				registerConsumer.accept(bulkhead.getEventPublisher());
				for (int i = 0; i < 3; i++) {
					assertThat(outcome(context, "call-" + i)).isEqualTo("call-" + i);
				}
				assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
			});
	}

	@Test
	void aRateLimiterConsumerThatThrowsOnAPermitLetsTheCallRun() {
		runner("grpc-clients.services[0].rate-limiter.enabled=true",
				"grpc-clients.services[0].rate-limiter.limit-for-period=2",
				"grpc-clients.services[0].rate-limiter.limit-refresh-period=1h")
			.run((context) -> {
				RateLimiter rateLimiter = context.getBean(RateLimiterRegistry.class).find("echo").orElseThrow();
				rateLimiter.getEventPublisher().onSuccess((event) -> {
					throw new IllegalStateException("consumer bug");
				});
				rateLimiter.getEventPublisher().onFailure((event) -> {
					throw new IllegalStateException("consumer bug");
				});
				assertThat(outcome(context, "call-0")).isEqualTo("call-0");
				assertThat(outcome(context, "call-1")).isEqualTo("call-1");
				assertThat(outcome(context, "call-2")).isInstanceOfSatisfying(StatusRuntimeException.class,
						(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(2);
			});
	}

	private org.springframework.boot.test.context.runner.ApplicationContextRunner runner(String... properties) {
		return LimitsTestSupport.runner(this.backend.address(), "grpc-clients.services[0].retry.backoff=1ms")
			.withPropertyValues(properties);
	}

	private static Retry retry(ApplicationContext context) {
		return context.getBean(RetryRegistry.class).find("echo").orElseThrow();
	}

	/** The response's message, or what the call failed with; bounded, so a call left open fails the test. */
	private static Object outcome(ApplicationContext context, String message) {
		Future<io.github.rpcclient.test.proto.EchoResponse> response;
		try {
			response = EchoServiceGrpc
				.newFutureStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"))
				.echo(EchoRequest.newBuilder().setMessage(message).build());
		}
		catch (RuntimeException ex) {
			throw new AssertionError("the call threw instead of ending with a status", ex);
		}
		try {
			return response.get(10, TimeUnit.SECONDS).getMessage();
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
		catch (TimeoutException ex) {
			throw new AssertionError("the call did not end within 10 s", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
