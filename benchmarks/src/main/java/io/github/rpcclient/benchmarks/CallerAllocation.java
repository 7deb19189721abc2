package io.github.rpcclient.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Bytes allocated on the caller's thread per blocking unary call, for each call of
 * {@link CallChainBenchmark} and each chain: a blocking stub runs the whole chain, listeners
 * included, on the caller's thread, so the difference to a bare call is what the chain costs. Unlike
 * JMH's {@code gc.alloc.rate.norm} it does not depend on the machine's load, so it can be compared
 * from run to run.
 * <p>
 * {@code java -cp benchmarks.jar io.github.rpcclient.benchmarks.CallerAllocation [calls]}
 */
public final class CallerAllocation {

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private CallerAllocation() {
	}

	public static void main(String[] args) throws Exception {
		int calls = (args.length > 0) ? Integer.parseInt(args[0]) : 20_000;
		String[] chains = (args.length > 1) ? args[1].split(",")
				: new String[] { "default", "no-metrics", "no-resilience", "bare-minimum" };
		System.out.printf(Locale.ROOT, "%-16s %12s %12s %12s %12s%n", "chain", "bare", "bare+deadline", "starter",
				"starter-no-deadline");
		for (String chain : chains) {
			CallChainBenchmark benchmark = new CallChainBenchmark();
			benchmark.transport = "netty";
			benchmark.chain = chain;
			benchmark.setUp();
			try {
				Map<String, Supplier<Object>> variants = new LinkedHashMap<>();
				variants.put("bare", benchmark::bareChannel);
				variants.put("bare+deadline", benchmark::bareChannelWithDeadline);
				variants.put("starter", benchmark::starterChain);
				variants.put("starter-no-deadline", benchmark::starterChainWithoutDefaultDeadline);
				StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", chain));
				for (Supplier<Object> variant : variants.values()) {
					line.append(String.format(Locale.ROOT, " %12.0f", bytesPerCall(variant, calls)));
				}
				System.out.println(line);
			}
			finally {
				benchmark.tearDown();
			}
		}
	}

	private static double bytesPerCall(Supplier<Object> call, int calls) {
		for (int i = 0; i < calls; i++) {
			call.get();
		}
		long thread = Thread.currentThread().getId();
		long before = THREADS.getThreadAllocatedBytes(thread);
		for (int i = 0; i < calls; i++) {
			call.get();
		}
		return (THREADS.getThreadAllocatedBytes(thread) - before) / (double) calls;
	}

}
