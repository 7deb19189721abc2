package io.github.rpcclient.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Which locks the callers of {@link CallChainBenchmark} wait for: 16 callers make blocking unary
 * calls while a JFR recording captures every contended monitor entry ({@code jdk.JavaMonitorEnter})
 * and every park on a {@code java.util.concurrent} lock ({@code jdk.ThreadPark} under
 * {@code AbstractQueuedSynchronizer}) on their threads, however short. Each is charged to the code
 * that took the lock: the innermost frame outside the JDK. A lock that is never contended leaves no
 * event, so this finds the locks that calls share, not every lock taken.
 * <p>
 * {@code java -cp benchmarks.jar io.github.rpcclient.benchmarks.ContendedLocks [calls] [chain]}
 */
public final class ContendedLocks {

	private static final int CALLERS = 16;

	private ContendedLocks() {
	}

	public static void main(String[] args) throws Exception {
		int calls = (args.length > 0) ? Integer.parseInt(args[0]) : 100_000;
		String chain = (args.length > 1) ? args[1] : "default";
		CallChainBenchmark benchmark = new CallChainBenchmark();
		benchmark.transport = "netty";
		benchmark.chain = chain;
		benchmark.setUp();
		ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
		try {
			Map<String, Supplier<Object>> variants = new LinkedHashMap<>();
			variants.put("bare+deadline", benchmark::bareChannelWithDeadline);
			variants.put("starter [" + chain + "]", benchmark::starterChain);
			for (Map.Entry<String, Supplier<Object>> variant : variants.entrySet()) {
				CallerAllocation.run(variant.getValue(), calls, CALLERS, callers);
				Map<String, Integer> byTaker = record(variant.getValue(), calls, callers);
				System.out.printf(Locale.ROOT, "%s: %d calls at %d callers, %d contended lock waits%n", variant.getKey(),
						calls, CALLERS, byTaker.values().stream().mapToInt(Integer::intValue).sum());
				byTaker.forEach((taker, count) -> System.out.printf(Locale.ROOT, "  %7d  %s%n", count, taker));
			}
		}
		finally {
			callers.shutdownNow();
			benchmark.tearDown();
		}
	}

	private static Map<String, Integer> record(Supplier<Object> call, int calls, ExecutorService callers)
			throws Exception {
		Path file = Files.createTempFile("contended-locks", ".jfr");
		try (Recording recording = new Recording()) {
			recording.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ZERO).withStackTrace();
			recording.enable("jdk.ThreadPark").withThreshold(Duration.ZERO).withStackTrace();
			recording.start();
			CallerAllocation.run(call, calls, CALLERS, callers);
			recording.stop();
			recording.dump(file);
			Map<String, Integer> byTaker = new TreeMap<>();
			for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
				List<RecordedFrame> frames = (event.getStackTrace() != null) ? event.getStackTrace().getFrames() : List.of();
				boolean onCallPath = frames.stream().anyMatch((frame) -> name(frame).endsWith("blockingUnaryCall"));
				boolean lockWait = event.getEventType().getName().equals("jdk.JavaMonitorEnter")
						|| frames.stream().anyMatch((frame) -> name(frame).contains("AbstractQueuedSynchronizer.acquire"));
				if (onCallPath && lockWait) {
					String taker = frames.stream()
						.map(ContendedLocks::name)
						.filter((name) -> !name.startsWith("java.") && !name.startsWith("jdk."))
						.findFirst()
						.orElse("?");
					byTaker.merge(taker, 1, Integer::sum);
				}
			}
			return byTaker;
		}
		finally {
			Files.deleteIfExists(file);
		}
	}

	private static String name(RecordedFrame frame) {
		return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
	}

}
