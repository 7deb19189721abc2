package io.github.rpcclient.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Throughput and latency of calls measured in short alternating blocks, for machines too noisy for
 * JMH's one-benchmark-after-another runs: in each round every variant runs for one block (closed
 * loop, {@code callers} threads), the order reversed every other round, and the ratio of each
 * variant to a baseline is taken within the round, so that a slow minute of the machine slows both
 * sides of a ratio alike. Prints, per caller count, the median ratio with its quartiles, the median
 * calls/s, p50/p99 over all rounds, and the caller threads' CPU time per call (callbacks of a
 * blocking call run on its caller's thread; the transport's event loops are not counted).
 * <p>
 * {@code java -cp benchmarks.jar io.github.rpcclient.benchmarks.PairedThroughput [rounds]
 * [block-ms] [what] [callers,...]}, where {@code what} is one of
 * <ul>
 * <li>a chain of {@link CallChainBenchmark} ({@code default}, {@code no-metrics}, ...), over
 * Netty, or in-process with {@code @in-process} appended ({@code default@in-process}: the
 * chain's own cost without the network): bare grpc-java, bare with a 30 s deadline (the
 * baseline) and the starter's chain;</li>
 * <li>{@code pinned}: {@link StatefulRouteBenchmark}'s call pinned to a user's pod through the
 * starter against a bare call with a deadline straight to the pod (the baseline);</li>
 * <li>{@code peers}: {@link PeerComparison}: bare grpc-java, bare with a 30 s deadline (the
 * baseline), the starter's default chain, grpc-spring and Spring gRPC, each in its own Spring Boot
 * context with Actuator;</li>
 * <li>{@code proxy}: {@link RpcProxyBenchmark}'s small JSON calls: the stateless unary proxy (the
 * baseline), the stateful proxy multiplexed on the pod's stream (each caller thread its own user)
 * and the generated stub.</li>
 * </ul>
 */
public final class PairedThroughput {

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private PairedThroughput() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 20;
		long blockMillis = (args.length > 1) ? Long.parseLong(args[1]) : 1000;
		String what = (args.length > 2) ? args[2] : "default";
		int[] callerCounts = (args.length > 3) ? Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
				: new int[] { 1, 16 };
		Map<String, Supplier<Object>> variants = new LinkedHashMap<>();
		Runnable tearDown;
		String baseline;
		if (what.equals("pinned")) {
			StatefulRouteBenchmark benchmark = new StatefulRouteBenchmark();
			benchmark.setUp();
			tearDown = benchmark::tearDown;
			baseline = "bare+deadline to the pod";
			variants.put(baseline, benchmark::bareChannelToPodWithDeadline);
			variants.put("pinned call [default]", benchmark::pinnedCall);
		}
		else if (what.equals("proxy")) {
			RpcProxyBenchmark benchmark = new RpcProxyBenchmark();
			benchmark.setUp();
			tearDown = benchmark::tearDown;
			ThreadLocal<RpcProxyBenchmark.User> users = ThreadLocal.withInitial(() -> {
				RpcProxyBenchmark.User user = new RpcProxyBenchmark.User();
				user.link(benchmark);
				return user;
			});
			baseline = "unary proxy (stateless)";
			variants.put(baseline, benchmark::statelessUnaryProxy);
			variants.put("multiplexed stream (stateful)", () -> benchmark.statefulMultiplexedStream(users.get()));
			variants.put("generated stub", benchmark::generatedStub);
		}
		else if (what.equals("peers")) {
			PeerComparison benchmark = new PeerComparison();
			benchmark.setUp();
			benchmark.printMeters();
			tearDown = benchmark::tearDown;
			baseline = PeerComparison.BASELINE;
			variants.putAll(benchmark.variants());
		}
		else {
			CallChainBenchmark benchmark = new CallChainBenchmark();
			String[] chainAndTransport = what.split("@");
			benchmark.chain = chainAndTransport[0];
			benchmark.transport = (chainAndTransport.length > 1) ? chainAndTransport[1] : "netty";
			benchmark.setUp();
			tearDown = benchmark::tearDown;
			baseline = "bare+deadline";
			variants.put("bare", benchmark::bareChannel);
			variants.put(baseline, benchmark::bareChannelWithDeadline);
			variants.put("starter [" + what + "]", benchmark::starterChain);
		}
		try {
			compare(variants, baseline, rounds, blockMillis, callerCounts);
		}
		finally {
			tearDown.run();
		}
	}

	/**
	 * Runs the variants in alternating blocks and prints the table.
	 * @param variants the calls by name
	 * @param baseline the name of the variant the others are divided by
	 * @param rounds how many rounds per caller count
	 * @param blockMillis how long each variant runs in a round
	 * @param callerCounts the numbers of concurrent callers
	 */
	static void compare(Map<String, Supplier<Object>> variants, String baseline, int rounds, long blockMillis,
			int[] callerCounts) throws Exception {
		ExecutorService pool = Executors.newCachedThreadPool();
		try {
			for (Supplier<Object> call : variants.values()) { // warm-up: let the JIT finish
				block(call, 16, 10_000, pool);
				block(call, 1, 5_000, pool);
			}
			for (int callers : callerCounts) {
				Map<String, List<Double>> ratios = new LinkedHashMap<>();
				Map<String, List<Double>> rates = new LinkedHashMap<>();
				Map<String, Latencies> latencies = new LinkedHashMap<>();
				List<String> order = new ArrayList<>(variants.keySet());
				for (int round = 0; round < rounds; round++) {
					Map<String, Double> rate = new LinkedHashMap<>();
					for (String name : order) {
						Block result = block(variants.get(name), callers, blockMillis, pool);
						rate.put(name, result.callsPerSecond);
						rates.computeIfAbsent(name, (n) -> new ArrayList<>()).add(result.callsPerSecond);
						latencies.computeIfAbsent(name, (n) -> new Latencies()).add(result.latencies);
					}
					rate.forEach((name, value) -> ratios.computeIfAbsent(name, (n) -> new ArrayList<>())
						.add(value / rate.get(baseline)));
					Collections.reverse(order);
				}
				System.out.printf(Locale.ROOT, "%n%d caller(s), %d rounds of %d ms blocks%n", callers, rounds,
						blockMillis);
				System.out.printf(Locale.ROOT, "| %-30s | %-32s | %9s | %8s | %8s | %14s |%n", "variant",
						"vs " + baseline + " (q1-q3)", "calls/s", "p50 µs", "p99 µs", "caller CPU µs");
				for (String name : variants.keySet()) {
					List<Double> ratio = sorted(ratios.get(name));
					Latencies latency = latencies.get(name);
					System.out.printf(Locale.ROOT,
							"| %-30s | %6.3f (%.3f-%.3f)              | %9.0f | %8.1f | %8.1f | %14.1f |%n", name,
							quantile(ratio, 0.5), quantile(ratio, 0.25), quantile(ratio, 0.75),
							quantile(sorted(rates.get(name)), 0.5), latency.percentile(0.50) / 1000.0,
							latency.percentile(0.99) / 1000.0, latency.cpuMicrosPerCall());
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static Block block(Supplier<Object> call, int callers, long millis, ExecutorService pool) throws Exception {
		AtomicBoolean running = new AtomicBoolean(true);
		CountDownLatch started = new CountDownLatch(callers);
		List<Future<Latencies>> done = new ArrayList<>();
		for (int t = 0; t < callers; t++) {
			done.add(pool.submit(() -> {
				Latencies histogram = new Latencies();
				long cpuBefore = THREADS.getCurrentThreadCpuTime();
				started.countDown();
				while (running.get()) {
					long start = System.nanoTime();
					call.get();
					histogram.record(System.nanoTime() - start);
				}
				histogram.cpuNanos = THREADS.getCurrentThreadCpuTime() - cpuBefore;
				return histogram;
			}));
		}
		started.await();
		long begin = System.nanoTime();
		TimeUnit.MILLISECONDS.sleep(millis); // the length of the block, not a synchronisation
		running.set(false);
		Latencies all = new Latencies();
		for (Future<Latencies> caller : done) {
			all.add(caller.get());
		}
		double seconds = (System.nanoTime() - begin) / 1e9;
		return new Block(all.count / seconds, all);
	}

	private static List<Double> sorted(List<Double> values) {
		List<Double> copy = new ArrayList<>(values);
		copy.sort(null);
		return copy;
	}

	private static double quantile(List<Double> sorted, double q) {
		double position = q * (sorted.size() - 1);
		int low = (int) Math.floor(position);
		int high = (int) Math.ceil(position);
		return sorted.get(low) + (sorted.get(high) - sorted.get(low)) * (position - low);
	}

	private record Block(double callsPerSecond, Latencies latencies) {
	}

	/** Every call's latency in nanoseconds. */
	private static final class Latencies {

		private long[] values = new long[1024];

		private int count;

		/** CPU time of the caller threads while they made these calls. */
		private long cpuNanos;

		double cpuMicrosPerCall() {
			return this.cpuNanos / 1000.0 / this.count;
		}

		void record(long nanos) {
			if (this.count == this.values.length) {
				this.values = Arrays.copyOf(this.values, this.count * 2);
			}
			this.values[this.count++] = nanos;
		}

		void add(Latencies other) {
			this.cpuNanos += other.cpuNanos;
			for (int i = 0; i < other.count; i++) {
				record(other.values[i]);
			}
		}

		double percentile(double q) {
			long[] sorted = Arrays.copyOf(this.values, this.count);
			Arrays.sort(sorted);
			return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
		}

	}

}
