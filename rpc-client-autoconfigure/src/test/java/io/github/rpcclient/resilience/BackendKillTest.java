package io.github.rpcclient.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.rpcclient.test.ForkedBackend;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A backend process killed with SIGKILL under load, behind round robin over two backends: every
 * call still succeeds (the calls in flight on the dead backend are retried on the other one), and
 * the backend restarted on the same port gets traffic again.
 */
class BackendKillTest {

	private static final int CALLERS = 8;

	private static final int WARM_UP = 0;

	private static final int KILLED = 1;

	private static final int RESTARTED = 2;

	@Test
	void killingOneOfTwoBackendsUnderLoadFailsNoCall() {
		List<ForkedBackend> backends = ForkedBackend.start(1, 2);
		try (ForkedBackend first = backends.get(0); ForkedBackend second = backends.get(1)) {
			ResilienceTestSupport.runner("static://" + first.address() + "," + second.address())
				.withPropertyValues("grpc-clients.services[0].load-balancing-policy=round_robin")
				.run((context) -> {
					long start = System.nanoTime();
					Load load = new Load(blocking(context));
					try {
						await().atMost(Duration.ofSeconds(60))
							.until(() -> load.answeredBy(1) > 200 && load.answeredBy(2) > 200);
						load.phase(KILLED);
						second.kill();
						double killedAt = seconds(start);
						long callsAtKill = load.calls();
						long secondAtKill = load.answeredBy(2);
						// load on the survivor alone for a while
						await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20))
							.until(() -> load.calls() > callsAtKill + 500);
						assertThat(load.answeredBy(2)).as("answers of the killed backend (some may have been counted late)")
							.isLessThanOrEqualTo(secondAtKill + CALLERS);
						long callsAtRestart = load.calls();
						double restartAt = seconds(start);
						second.restart();
						load.phase(RESTARTED);
						double restartedAt = seconds(start);
						await().atMost(Duration.ofSeconds(20)).until(() -> load.answeredBy(2) > secondAtKill + 500);
						double backAt = seconds(start);
						long callsBackOnTwo = load.calls();
						await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20))
							.until(() -> load.calls() > callsBackOnTwo + 500);
						load.stop();
						System.out.printf("backend kill timeline: killed at %.1fs, restart from %.1fs to %.1fs, 500 answers"
								+ " from it by %.1fs, end at %.1fs%n", killedAt, restartAt, restartedAt, backAt, seconds(start));
						Retry.Metrics retries = context.getBean(RetryRegistry.class).retry("echo").getMetrics();
						System.out.printf(
								"backend kill: %d calls (%d before the kill, %d until the restart), %d failed; max latency"
										+ " %d ms (before the kill %d ms, until the restart %d ms, after it %d ms); answered"
										+ " by pod 1: %d, pod 2: %d (%d after the restart); calls retried and succeeded: %d,"
										+ " retried and failed: %d, failed without retry: %d; failures: %s%n",
								load.calls(), callsAtKill, callsAtRestart, load.failed(), load.maxLatencyMillis(WARM_UP,
										RESTARTED),
								load.maxLatencyMillis(WARM_UP, WARM_UP), load.maxLatencyMillis(KILLED, KILLED),
								load.maxLatencyMillis(RESTARTED, RESTARTED), load.answeredBy(1), load.answeredBy(2),
								load.answeredBy(2) - secondAtKill,
								retries.getNumberOfSuccessfulCallsWithRetryAttempt(),
								retries.getNumberOfFailedCallsWithRetryAttempt(),
								retries.getNumberOfFailedCallsWithoutRetryAttempt(), load.failures());
					}
					finally {
						load.stop();
					}
					assertThat(load.answeredBy(2)).as("answers of the restarted backend").isGreaterThan(0);
					assertThat(load.failures()).as("failed calls, by status").isEmpty();
				});
		}
	}

	private static double seconds(long since) {
		return (System.nanoTime() - since) / 1e9;
	}

	/** Closed-loop unary calls to an idempotent method from {@value #CALLERS} threads. */
	private static final class Load {

		private final EchoServiceGrpc.EchoServiceBlockingStub stub;

		private final List<Thread> callers = new ArrayList<>();

		private final LongAdder calls = new LongAdder();

		private final LongAdder failed = new LongAdder();

		private final AtomicLongArray answers = new AtomicLongArray(3);

		private final LongAccumulator[] maxLatencyNanos = { new LongAccumulator(Math::max, 0),
				new LongAccumulator(Math::max, 0), new LongAccumulator(Math::max, 0) };

		private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

		private volatile boolean running = true;

		private volatile int phase = WARM_UP;

		Load(EchoServiceGrpc.EchoServiceBlockingStub stub) {
			this.stub = stub;
			for (int i = 0; i < CALLERS; i++) {
				Thread caller = new Thread(this::callUntilStopped, "caller-" + i);
				caller.setDaemon(true);
				caller.start();
				this.callers.add(caller);
			}
		}

		private void callUntilStopped() {
			while (this.running) {
				long start = System.nanoTime();
				try {
					int pod = this.stub.idempotentEcho(request("kill")).getPod();
					this.answers.incrementAndGet(pod);
				}
				catch (StatusRuntimeException ex) {
					Status status = ex.getStatus();
					this.failed.increment();
					this.failures.computeIfAbsent(status.getCode() + ": " + status.getDescription(), (k) -> new LongAdder())
						.increment();
				}
				this.maxLatencyNanos[this.phase].accumulate(System.nanoTime() - start);
				this.calls.increment();
			}
		}

		void stop() {
			this.running = false;
			for (Thread caller : this.callers) {
				try {
					caller.join(TimeUnit.SECONDS.toMillis(40));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

		long calls() {
			return this.calls.sum();
		}

		long failed() {
			return this.failed.sum();
		}

		long answeredBy(int pod) {
			return this.answers.get(pod);
		}

		/** Calls that end from now on are counted in the given phase. */
		void phase(int phase) {
			this.phase = phase;
		}

		/** @return the longest call that ended in any of the phases from the first to the last */
		long maxLatencyMillis(int first, int last) {
			long max = 0;
			for (int phase = first; phase <= last; phase++) {
				max = Math.max(max, this.maxLatencyNanos[phase].get());
			}
			return TimeUnit.NANOSECONDS.toMillis(max);
		}

		Map<String, Long> failures() {
			Map<String, Long> counts = new TreeMap<>();
			this.failures.forEach((status, count) -> counts.put(status, count.sum()));
			return counts;
		}

	}

}
