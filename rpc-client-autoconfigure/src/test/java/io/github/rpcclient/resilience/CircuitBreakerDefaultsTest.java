package io.github.rpcclient.resilience;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.EchoServiceImpl;
import io.github.rpcclient.test.proto.EchoResponse;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ApplicationContext;

import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.future;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.fail;

/**
 * The breaker's default settings: a steady rate of random failures well below the threshold never
 * opens it, and an outage still does.
 */
class CircuitBreakerDefaultsTest {

	private static final double FAILURE_RATE = 0.1;

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	@Test
	void tenPercentRandomFailuresNeverOpenTheBreakerEndToEnd() throws Exception {
		int calls = 20_000;
		RandomFailures failures = new RandomFailures(new Random(20_000), FAILURE_RATE);
		Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
				InsecureServerCredentials.create())
			.addService(ServerInterceptors.intercept(new EchoServiceImpl(0), failures))
			.build()
			.start();
		try {
			ResilienceTestSupport.runner(this.backend)
				.withPropertyValues("grpc-clients.services[0].address=127.0.0.1:" + server.getPort(),
						"grpc-clients.logging.enabled=false", "grpc-clients.services[0].retry.enabled=false")
				.run((context) -> {
					CircuitBreaker breaker = breaker(context);
					List<CircuitBreaker.StateTransition> transitions = new CopyOnWriteArrayList<>();
					breaker.getEventPublisher().onStateTransition((event) -> transitions.add(event.getStateTransition()));
					long start = System.nanoTime();
					AtomicInteger failed = callConcurrently(context, calls, 16);
					double seconds = (System.nanoTime() - start) / 1e9;
					System.out.printf("%d calls with %.1f %% random failures (%d failed) in %.1f s: breaker %s, "
							+ "failure rate of its window %.1f %%%n", calls, FAILURE_RATE * 100, failed.get(), seconds,
							breaker.getState(), breaker.getMetrics().getFailureRate());
					assertThat(failed.get()).as("calls failed by the server").isEqualTo(failures.failed.get());
					assertThat(failed.get()).isBetween((int) (calls * 0.08), (int) (calls * 0.12));
					assertThat(transitions).as("state transitions").isEmpty();
					assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
					assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).isZero();
				});
		}
		finally {
			server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void tenPercentRandomFailuresNeverOpenABreakerWithTheDefaultConfigurationOverMillionsOfAttempts() {
		ResilienceTestSupport.runner(this.backend).run((context) -> {
			CircuitBreakerConfig defaults = breaker(context).getCircuitBreakerConfig();
			// the same configuration, driven directly the way every attempt reports its outcome
			CircuitBreaker breaker = CircuitBreaker.of("simulation", defaults);
			Random random = new Random(42);
			int attempts = 2_000_000;
			StatusFailure failure = new StatusFailure(Status.INTERNAL, false);
			int failed = 0;
			for (int i = 0; i < attempts; i++) {
				if (!breaker.tryAcquirePermission()) {
					fail("attempt %d of %d (%d failed so far) refused: breaker %s, failure rate %.1f %%", i + 1, attempts,
							failed, breaker.getState(), breaker.getMetrics().getFailureRate());
				}
				if (random.nextDouble() < FAILURE_RATE) {
					failed++;
					breaker.onError(1, TimeUnit.MILLISECONDS, failure);
				}
				else {
					breaker.onSuccess(1, TimeUnit.MILLISECONDS);
				}
			}
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			assertThat(failed).isBetween((int) (attempts * 0.099), (int) (attempts * 0.101));
		});
	}

	@Test
	void anOutageStillOpensTheBreaker() {
		this.backend.service().failNext("Echo", 1000, Status.UNAVAILABLE);
		ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.logging.enabled=false", "grpc-clients.services[0].retry.enabled=false")
			.run((context) -> {
				CircuitBreaker breaker = breaker(context);
				int minimumNumberOfCalls = breaker.getCircuitBreakerConfig().getMinimumNumberOfCalls();
				for (int i = 0; i < minimumNumberOfCalls; i++) {
					assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
					assertThatExceptionOfType(StatusRuntimeException.class)
						.isThrownBy(() -> blocking(context).echo(request("x")));
				}
				assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(minimumNumberOfCalls);
			});
	}

	/** Makes the calls, at most {@code inFlight} at a time, and returns how many failed. */
	private static AtomicInteger callConcurrently(ApplicationContext context, int calls, int inFlight)
			throws InterruptedException {
		Semaphore slots = new Semaphore(inFlight);
		AtomicInteger failed = new AtomicInteger();
		AtomicInteger unexpected = new AtomicInteger();
		for (int i = 0; i < calls; i++) {
			slots.acquire();
			Futures.addCallback(future(context).echo(request("r")), new FutureCallback<EchoResponse>() {

				@Override
				public void onSuccess(EchoResponse result) {
					slots.release();
				}

				@Override
				public void onFailure(Throwable error) {
					if (Status.fromThrowable(error).getCode() == Status.Code.INTERNAL) {
						failed.incrementAndGet();
					}
					else {
						unexpected.incrementAndGet();
					}
					slots.release();
				}

			}, MoreExecutors.directExecutor());
		}
		assertThat(slots.tryAcquire(inFlight, 30, TimeUnit.SECONDS)).as("all calls done").isTrue();
		assertThat(unexpected.get()).as("calls failing otherwise than on purpose").isZero();
		return failed;
	}

	private static CircuitBreaker breaker(ApplicationContext context) {
		return context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
	}

	/** Fails each call with {@code INTERNAL}, at random, with the given probability. */
	static final class RandomFailures implements ServerInterceptor {

		final AtomicInteger failed = new AtomicInteger();

		private final Random random;

		private final double rate;

		RandomFailures(Random random, double rate) {
			this.random = random;
			this.rate = rate;
		}

		@Override
		public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
				ServerCallHandler<Q, R> next) {
			if (this.random.nextDouble() < this.rate) {
				this.failed.incrementAndGet();
				call.close(Status.INTERNAL.withDescription("random failure"), new Metadata());
				return new ServerCall.Listener<>() {
				};
			}
			return next.startCall(call, headers);
		}

	}

}
