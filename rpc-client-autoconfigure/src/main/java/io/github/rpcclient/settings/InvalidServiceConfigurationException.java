package io.github.rpcclient.settings;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when service configuration is invalid, at start-up or by a runtime registration. Lists
 * every violation found, not only the first.
 */
public class InvalidServiceConfigurationException extends IllegalArgumentException implements ExplainedFailure {

	private final List<ConfigurationViolation> violations;

	/**
	 * Creates the exception.
	 * @param violations what is wrong, at least one
	 */
	public InvalidServiceConfigurationException(List<ConfigurationViolation> violations) {
		super("Invalid gRPC client configuration: " + violations.stream()
			.map(ConfigurationViolation::toString)
			.collect(Collectors.joining("; ")));
		this.violations = List.copyOf(violations);
	}

	/**
	 * @return the violations found
	 */
	public List<ConfigurationViolation> getViolations() {
		return this.violations;
	}

	@Override
	public String description() {
		return "Invalid gRPC client configuration:\n" + this.violations.stream()
			.map((violation) -> "    " + violation)
			.collect(Collectors.joining("\n"));
	}

	@Override
	public String action() {
		return this.violations.stream()
			.map((violation) -> "    " + violation.property() + ": " + violation.fix())
			.distinct()
			.collect(Collectors.joining("\n", "Update your application configuration:\n", ""));
	}

}
