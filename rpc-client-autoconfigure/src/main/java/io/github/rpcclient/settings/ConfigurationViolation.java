package io.github.rpcclient.settings;

import java.time.Duration;

/**
 * One invalid property: where it is, what it holds, what is wrong and how to fix it.
 *
 * @param property the full property path, such as {@code grpc-clients.services[2].address}
 * @param value the offending value, or {@code null} when it is missing
 * @param problem what is wrong with it
 * @param fix what to do about it
 */
public record ConfigurationViolation(String property, Object value, String problem, String fix) {

	/** Stands for a value that is not shown (a key that should not be there may hold a secret). */
	public static final Object NOT_SHOWN = new Object();

	@Override
	public String toString() {
		if (this.value == NOT_SHOWN) {
			return this.property + ": " + this.problem;
		}
		return this.property + " = " + (this.value == null ? "(unset)" : "'" + format(this.value) + "'") + ": "
				+ this.problem;
	}

	/**
	 * Formats a value as it is written in configuration: durations in their largest exact unit
	 * ({@code 500ms}, {@code 30s}, {@code 5m}), not as {@code PT0.5S}.
	 * @param value a value
	 * @return its configuration form
	 */
	public static String format(Object value) {
		if (!(value instanceof Duration duration)) {
			return String.valueOf(value);
		}
		if (duration.toNanos() % 1_000_000 != 0) {
			return duration.toNanos() + "ns";
		}
		long millis = duration.toMillis();
		long[] sizes = { 86_400_000, 3_600_000, 60_000, 1_000 };
		String[] units = { "d", "h", "m", "s" };
		for (int i = 0; i < sizes.length; i++) {
			if (millis != 0 && millis % sizes[i] == 0) {
				return millis / sizes[i] + units[i];
			}
		}
		return millis + "ms";
	}

}
