package io.github.rpcclient.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * What a blocking unary call costs the client, for each call of {@link CallChainBenchmark} and each
 * chain, in two measures that do not depend on the machine's load (so runs can be compared even
 * on a busy machine, where JMH's throughput cannot):
 * <ul>
 * <li>bytes allocated on the caller's thread per call (a blocking stub runs the whole chain,
 * listeners included, on the caller's thread, so the difference to a bare call is what the chain
 * allocates);</li>
 * <li>CPU time of the whole client process per call (caller threads, transport event loops and
 * everything else; the backend runs in a JVM of its own), at 1 and 16 concurrent callers.</li>
 * </ul>
 * {@code java -cp benchmarks.jar io.github.rpcclient.benchmarks.CallerAllocation [calls] [chains] [calls to
 * measure: bare,bare+deadline,starter,starter-no-deadline]}; the chain {@code peers} measures
 * {@link PeerComparison}'s calls instead: the starter's default chain, grpc-spring and Spring gRPC.
 */
public final class CallerAllocation {

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean) ManagementFactory
		.getOperatingSystemMXBean();

	private CallerAllocation() {
	}

	public static void main(String[] args) throws Exception {
		int calls = (args.length > 0) ? Integer.parseInt(args[0]) : 20_000;
		String[] chains = (args.length > 1) ? args[1].split(",")
				: new String[] { "default", "no-metrics", "no-resilience", "bare-minimum" };
		Set<String> only = (args.length > 2) ? Set.of(args[2].split(",")) : null;
		System.out.printf(Locale.ROOT, "%-14s %-20s %10s %14s %15s%n", "chain", "call", "B/call",
				"CPU µs/call x1", "CPU µs/call x16");
		ExecutorService callers = Executors.newFixedThreadPool(16);
		try {
			for (String chain : chains) {
				Map<String, Supplier<Object>> variants = new LinkedHashMap<>();
				Runnable tearDown;
				if (chain.equals("peers")) {
					PeerComparison benchmark = new PeerComparison();
					benchmark.setUp();
					tearDown = benchmark::tearDown;
					variants.putAll(benchmark.variants());
				}
				else {
					CallChainBenchmark benchmark = new CallChainBenchmark();
					benchmark.transport = "netty";
					benchmark.chain = chain;
					benchmark.setUp();
					tearDown = benchmark::tearDown;
					variants.put("bare", benchmark::bareChannel);
					variants.put("bare+deadline", benchmark::bareChannelWithDeadline);
					variants.put("starter", benchmark::starterChain);
					variants.put("starter-no-deadline", benchmark::starterChainWithoutDefaultDeadline);
				}
				try {
					if (only != null) {
						variants.keySet().retainAll(only);
					}
					for (Map.Entry<String, Supplier<Object>> variant : variants.entrySet()) {
						double bytes = bytesPerCall(variant.getValue(), calls);
						double cpu1 = cpuPerCall(variant.getValue(), calls, 1, callers);
						double cpu16 = cpuPerCall(variant.getValue(), calls, 16, callers);
						System.out.printf(Locale.ROOT, "%-14s %-20s %10.0f %14.1f %15.1f%n", chain, variant.getKey(),
								bytes, cpu1, cpu16);
					}
				}
				finally {
					tearDown.run();
				}
			}
		}
		finally {
			callers.shutdownNow();
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

	private static double cpuPerCall(Supplier<Object> call, int calls, int threads, ExecutorService callers)
			throws Exception {
		run(call, calls, threads, callers);
		long before = OS.getProcessCpuTime();
		run(call, calls, threads, callers);
		return (OS.getProcessCpuTime() - before) / 1000.0 / calls;
	}

	static void run(Supplier<Object> call, int calls, int threads, ExecutorService callers) throws Exception {
		List<Future<?>> done = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Callable<Object> caller = () -> {
				for (int i = 0; i < calls / threads; i++) {
					call.get();
				}
				return null;
			};
			done.add(callers.submit(caller));
		}
		for (Future<?> future : done) {
			future.get();
		}
	}

}
