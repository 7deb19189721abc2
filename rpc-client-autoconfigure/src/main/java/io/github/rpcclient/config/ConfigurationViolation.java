package io.github.rpcclient.config;

/**
 * One invalid property: where it is, what it holds, what is wrong and how to fix it.
 *
 * @param property the full property path, such as {@code grpc-clients.services[2].address}
 * @param value the offending value, or {@code null} when it is missing
 * @param problem what is wrong with it
 * @param fix what to do about it
 */
public record ConfigurationViolation(String property, Object value, String problem, String fix) {

	@Override
	public String toString() {
		return this.property + " = " + (this.value == null ? "(unset)" : "'" + this.value + "'") + ": " + this.problem;
	}

}
