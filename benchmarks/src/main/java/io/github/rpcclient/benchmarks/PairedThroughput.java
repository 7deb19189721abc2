package io.github.rpcclient.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
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
 * Throughput and latency of {@link CallChainBenchmark}'s calls measured in short alternating
 * blocks, for machines too noisy for JMH's one-benchmark-after-another runs: in each round every
 * variant runs for one block (closed loop, {@code callers} threads), the order reversed every other
 * round, and the ratio of each variant to the bare call with a deadline is taken within the round,
 * so that a slow minute of the machine slows both sides of a ratio alike. Prints, per caller count,
 * the median ratio with its quartiles, the median calls/s, and p50/p99 over all rounds.
 * <p>
 * {@code java -cp benchmarks.jar io.github.rpcclient.benchmarks.PairedThroughput [rounds]
 * [block-ms] [chain] [callers,...]}
 */
public final class PairedThroughput {

	private static final String BASELINE = "bare+deadline";

	private PairedThroughput() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 20;
		long blockMillis = (args.length > 1) ? Long.parseLong(args[1]) : 1000;
		String chain = (args.length > 2) ? args[2] : "default";
		int[] callerCounts = (args.length > 3) ? Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
				: new int[] { 1, 16 };
		CallChainBenchmark benchmark = new CallChainBenchmark();
		benchmark.transport = "netty";
		benchmark.chain = chain;
		benchmark.setUp();
		ExecutorService pool = Executors.newCachedThreadPool();
		try {
			Map<String, Supplier<Object>> variants = new LinkedHashMap<>();
			variants.put("bare", benchmark::bareChannel);
			variants.put(BASELINE, benchmark::bareChannelWithDeadline);
			variants.put("starter [" + chain + "]", benchmark::starterChain);
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
						.add(value / rate.get(BASELINE)));
					java.util.Collections.reverse(order);
				}
				System.out.printf(Locale.ROOT, "%n%d caller(s), %d rounds of %d ms blocks%n", callers, rounds,
						blockMillis);
				System.out.printf(Locale.ROOT, "| %-28s | %-24s | %9s | %8s | %8s |%n", "variant",
						"vs bare+deadline (q1-q3)", "calls/s", "p50 µs", "p99 µs");
				for (String name : variants.keySet()) {
					List<Double> ratio = sorted(ratios.get(name));
					Latencies latency = latencies.get(name);
					System.out.printf(Locale.ROOT, "| %-28s | %6.3f (%.3f-%.3f)      | %9.0f | %8.1f | %8.1f |%n", name,
							quantile(ratio, 0.5), quantile(ratio, 0.25), quantile(ratio, 0.75),
							quantile(sorted(rates.get(name)), 0.5), latency.percentile(0.50) / 1000.0,
							latency.percentile(0.99) / 1000.0);
				}
			}
		}
		finally {
			pool.shutdownNow();
			benchmark.tearDown();
		}
	}

	private static Block block(Supplier<Object> call, int callers, long millis, ExecutorService pool) throws Exception {
		AtomicBoolean running = new AtomicBoolean(true);
		CountDownLatch started = new CountDownLatch(callers);
		List<Future<Latencies>> done = new ArrayList<>();
		for (int t = 0; t < callers; t++) {
			done.add(pool.submit(() -> {
				Latencies histogram = new Latencies();
				started.countDown();
				while (running.get()) {
					long start = System.nanoTime();
					call.get();
					histogram.record(System.nanoTime() - start);
				}
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

		void record(long nanos) {
			if (this.count == this.values.length) {
				this.values = Arrays.copyOf(this.values, this.count * 2);
			}
			this.values[this.count++] = nanos;
		}

		void add(Latencies other) {
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
