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

import com.google.common.util.concurrent.ListenableFuture;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.GatedEchoBackend;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rate limiter in front of a real Netty backend: calls over the limit of a period fail at once
 * and are not retried; the limit comes back with the next period.
 */
class RateLimiterTest {

	private static final int LIMIT = 3;

	private static final String REFUSAL = "gRPC service 'echo' has started 3 calls in this period, its limit "
			+ "(grpc-clients.services[echo].rate-limiter.limit-for-period=3, "
			+ "grpc-clients.services[echo].rate-limiter.limit-refresh-period=1h): the call was not sent";

	@AutoClose
	final GatedEchoBackend backend = GatedEchoBackend.start();

	/** One period of an hour: no new permits while a test runs. */
	private ApplicationContextRunner runner() {
		return LimitsTestSupport.runner(this.backend.address(), "grpc-clients.services[0].rate-limiter.enabled=true",
				"grpc-clients.services[0].rate-limiter.limit-for-period=" + LIMIT,
				"grpc-clients.services[0].rate-limiter.limit-refresh-period=1h",
				"grpc-clients.services[0].retry.backoff=1ms");
	}

	@Test
	void concurrentCallsOverTheLimitOfThePeriodFailAtOnce() {
		int calls = 8;
		runner().run((context) -> {
			ExecutorService callers = Executors.newFixedThreadPool(calls);
			try {
				CountDownLatch go = new CountDownLatch(1);
				List<Future<Object>> outcomes = new ArrayList<>();
				for (int i = 0; i < calls; i++) {
					outcomes.add(callers.submit(() -> {
						go.await();
						return callEcho(context);
					}));
				}
				go.countDown();
				List<Object> all = new ArrayList<>();
				for (Future<Object> outcome : outcomes) {
					all.add(outcome.get(10, TimeUnit.SECONDS));
				}
				assertThat(all).filteredOn(EchoResponse.class::isInstance).hasSize(LIMIT);
				assertThat(all).filteredOn(StatusRuntimeException.class::isInstance)
					.hasSize(calls - LIMIT)
					.allSatisfy(RateLimiterTest::assertRefused);
				assertThat(this.backend.echoCalls()).as("calls that reached the backend").isEqualTo(LIMIT);
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
				AtomicInteger refusals = new AtomicInteger();
				rateLimiter(context).getEventPublisher().onFailure((event) -> refusals.incrementAndGet());
				for (int i = 0; i < LIMIT; i++) {
					assertThat(callEcho(context)).isInstanceOf(EchoResponse.class);
				}
				for (int i = 0; i < 4; i++) {
					assertRefused(callEcho(context));
				}
				assertThat(refusals).as("permits refused, one per call").hasValue(4);
				assertThat(this.backend.echoCalls()).isEqualTo(LIMIT);
			});
	}

	@Test
	void theLimitComesBackWithEachPeriod() {
		// one call per period (the tests above show the rest of a period is refused): three
		// successful calls need three periods
		runner()
			.withPropertyValues("grpc-clients.services[0].rate-limiter.limit-for-period=1",
					"grpc-clients.services[0].rate-limiter.limit-refresh-period=200ms")
			.run((context) -> {
				AtomicInteger succeeded = new AtomicInteger();
				await("three periods' calls").atMost(Duration.ofSeconds(20))
					.pollInterval(Duration.ofMillis(20))
					.until(() -> {
						Object outcome = callEcho(context);
						if (outcome instanceof EchoResponse) {
							succeeded.incrementAndGet();
						}
						else {
							assertThat(outcome).isInstanceOfSatisfying(StatusRuntimeException.class,
									(refused) -> assertThat(refused.getStatus().getDescription())
										.contains("limit-for-period=1")
										.contains("limit-refresh-period=200ms"));
						}
						return succeeded.get() >= 3;
					});
				assertThat(this.backend.echoCalls()).isEqualTo(3);
			});
	}

	@Test
	void aCallTheBulkheadRefusesUsesNoPermitOfThePeriod() {
		runner()
			.withPropertyValues("grpc-clients.services[0].rate-limiter.limit-for-period=2",
					"grpc-clients.services[0].bulkhead.enabled=true",
					"grpc-clients.services[0].bulkhead.max-concurrent-calls=1")
			.run((context) -> {
				ListenableFuture<EchoResponse> held = EchoServiceGrpc.newFutureStub(channel(context)).slow(request("held"));
				await().atMost(Duration.ofSeconds(10)).until(() -> this.backend.slowCalls() == 1);
				for (int i = 0; i < 3; i++) {
					assertThat(callEcho(context)).isInstanceOfSatisfying(StatusRuntimeException.class,
							(ex) -> assertThat(ex.getStatus().getCause()).isInstanceOf(BulkheadFullException.class));
				}
				assertThat(rateLimiter(context).getMetrics().getAvailablePermissions()).isEqualTo(1);
				this.backend.open();
				assertThat(held.get(10, TimeUnit.SECONDS).getMessage()).isEqualTo("held");
				assertThat(callEcho(context)).isInstanceOf(EchoResponse.class);
				assertThat(callEcho(context)).isInstanceOfSatisfying(StatusRuntimeException.class,
						(ex) -> assertThat(ex.getStatus().getCause()).isInstanceOf(RequestNotPermitted.class));
			});
	}

	private static void assertRefused(Object outcome) {
		assertThat(outcome).isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
			assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
			assertThat(ex.getStatus().getDescription()).isEqualTo(REFUSAL);
			assertThat(ex.getStatus().getCause()).isInstanceOf(RequestNotPermitted.class);
		});
	}

	private static Object callEcho(ApplicationContext context) {
		try {
			return EchoServiceGrpc.newBlockingStub(channel(context)).echo(request("echo"));
		}
		catch (StatusRuntimeException ex) {
			return ex;
		}
	}

	private static io.grpc.Channel channel(ApplicationContext context) {
		return context.getBean(ManagedChannelRegistry.class).getCallChannel("echo");
	}

	private static RateLimiter rateLimiter(ApplicationContext context) {
		return context.getBean(RateLimiterRegistry.class).find("echo").orElseThrow();
	}

}
