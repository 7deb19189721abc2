package io.github.rpcclient.benchmarks;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the JSON results of interleaved rounds of {@link CallChainBenchmark} (one file per round
 * and caller count) and prints, per caller count and variant, the median over the rounds of: the
 * throughput relative to a bare call with a deadline measured in the same round next to it, the
 * mean, p50 and p99 in microseconds, and the bytes allocated per call with what the variant adds
 * over the bare call with a deadline.
 * <p>
 * {@code java -cp benchmarks.jar io.github.rpcclient.benchmarks.RatioReport result-*.json}
 */
public final class RatioReport {

	private static final String BASELINE = "bareChannelWithDeadline";

	private RatioReport() {
	}

	public static void main(String[] args) throws IOException {
		ObjectMapper mapper = new ObjectMapper();
		// threads -> row -> measures over the rounds
		Map<Integer, Map<String, Row>> table = new TreeMap<>();
		for (String file : args) {
			JsonNode results = mapper.readTree(new File(file));
			Map<String, JsonNode> baselines = new LinkedHashMap<>();
			for (JsonNode result : results) {
				if (method(result).equals(BASELINE)) {
					baselines.put(group(result), result);
				}
			}
			for (JsonNode result : results) {
				JsonNode baseline = baselines.get(group(result));
				if (baseline == null) {
					continue;
				}
				String method = method(result);
				String row = method.startsWith("bare") ? method : method + " [" + result.path("params").path("chain").asText() + "]";
				table.computeIfAbsent(result.path("threads").asInt(), (t) -> new LinkedHashMap<>())
					.computeIfAbsent(row, (r) -> new Row())
					.add(result, baseline);
			}
		}
		for (Map.Entry<Integer, Map<String, Row>> threads : table.entrySet()) {
			System.out.printf(Locale.ROOT, "%n%d caller(s), median of %d round(s)%n", threads.getKey(),
					threads.getValue().values().iterator().next().ratio.size());
			System.out.printf(Locale.ROOT, "| %-52s | %8s | %8s | %8s | %8s | %8s | %9s |%n", "variant",
					"vs bare+deadline", "calls/s", "mean µs", "p50 µs", "p99 µs", "B/call (+)");
			for (Map.Entry<String, Row> row : threads.getValue().entrySet()) {
				Row r = row.getValue();
				System.out.printf(Locale.ROOT, "| %-52s | %16.3f | %8.0f | %8.1f | %8.1f | %8.1f | %5.0f (%+.0f) |%n",
						row.getKey(), median(r.ratio), median(r.callsPerSecond), median(r.mean), median(r.p50),
						median(r.p99), median(r.bytes), median(r.addedBytes));
			}
		}
	}

	private static String method(JsonNode result) {
		String benchmark = result.path("benchmark").asText();
		return benchmark.substring(benchmark.lastIndexOf('.') + 1);
	}

	/** Results measured next to each other in one round: the same parameters and caller count. */
	private static String group(JsonNode result) {
		return result.path("params").toString() + "/" + result.path("threads").asInt();
	}

	private static double median(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	private static final class Row {

		final List<Double> ratio = new ArrayList<>();

		final List<Double> callsPerSecond = new ArrayList<>();

		final List<Double> mean = new ArrayList<>();

		final List<Double> p50 = new ArrayList<>();

		final List<Double> p99 = new ArrayList<>();

		final List<Double> bytes = new ArrayList<>();

		final List<Double> addedBytes = new ArrayList<>();

		void add(JsonNode result, JsonNode baseline) {
			double mean = score(result);
			int threads = result.path("threads").asInt();
			this.ratio.add(score(baseline) / mean);
			this.callsPerSecond.add(threads * 1_000_000 / mean);
			this.mean.add(mean);
			this.p50.add(result.path("primaryMetric").path("scorePercentiles").path("50.0").asDouble());
			this.p99.add(result.path("primaryMetric").path("scorePercentiles").path("99.0").asDouble());
			this.bytes.add(allocated(result));
			this.addedBytes.add(allocated(result) - allocated(baseline));
		}

		private static double score(JsonNode result) {
			return result.path("primaryMetric").path("score").asDouble();
		}

		private static double allocated(JsonNode result) {
			JsonNode secondary = result.path("secondaryMetrics");
			for (String name : Arrays.asList("gc.alloc.rate.norm", "·gc.alloc.rate.norm")) {
				if (secondary.has(name)) {
					return secondary.path(name).path("score").asDouble();
				}
			}
			return Double.NaN;
		}

	}

}
