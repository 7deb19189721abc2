package io.github.rpcclient.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.io.Resource;
import org.springframework.lang.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * Collects the violations found below one property path while settings are resolved. Each check
 * returns the value it checked, so that a factory reads, checks and converts a value in one step.
 */
final class SettingsChecker {

	private final String path;

	private final List<ConfigurationViolation> violations = new ArrayList<>();

	SettingsChecker(String path) {
		this.path = path;
	}

	void add(String property, @Nullable Object value, String problem, String fix) {
		this.violations.add(new ConfigurationViolation(this.path + property, value, problem, fix));
	}

	List<ConfigurationViolation> violations() {
		return this.violations;
	}

	/**
	 * @throws InvalidServiceConfigurationException listing every violation found, if any
	 */
	void throwIfAny() {
		if (!this.violations.isEmpty()) {
			throw new InvalidServiceConfigurationException(this.violations);
		}
	}

	@Nullable
	GrpcAddress address(String property, @Nullable String address) {
		try {
			return GrpcAddress.parse(address);
		}
		catch (IllegalArgumentException ex) {
			add(property, address, "is not a valid address: it " + ex.getMessage(), "use " + GrpcAddress.FORMS);
			return null;
		}
	}

	Duration nonNegative(String property, Duration value) {
		if (value != null && value.isNegative()) {
			add(property, value, "is negative", "use zero or a positive duration such as '5s'");
		}
		return value;
	}

	Duration positive(String property, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			add(property, value, "is not a positive duration", "use a positive duration such as '5s'");
		}
		return value;
	}

	DataSize positive(String property, DataSize value) {
		if (value == null || value.toBytes() <= 0 || value.toBytes() > Integer.MAX_VALUE) {
			add(property, value, "is not a positive size below 2GB", "use a size such as '4MB'");
		}
		return value;
	}

	int atLeastOne(String property, int value) {
		if (value < 1) {
			add(property, value, "is below 1", "use 1 or more");
		}
		return value;
	}

	long atLeastOne(String property, long value) {
		if (value < 1) {
			add(property, value, "is below 1", "use 1 or more");
		}
		return value;
	}

	int nonNegative(String property, int value) {
		if (value < 0) {
			add(property, value, "is negative", "use 0 or more");
		}
		return value;
	}

	double between(String property, double value, double min, double max, String fix) {
		if (!(value >= min && value <= max)) {
			add(property, value, "is not between " + min + " and " + max, fix);
		}
		return value;
	}

	Duration between(String property, Duration value, Duration min, Duration max) {
		if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
			add(property, value, "is not between " + min.toSeconds() + "s and " + max.toSeconds() + "s",
					"use a duration such as '10s'");
		}
		return value;
	}

	float percentage(String property, float value) {
		if (value <= 0 || value > 100) {
			add(property, value, "is not a percentage", "use a value above 0 and up to 100");
		}
		return value;
	}

	@Nullable
	Resource readable(String property, @Nullable Resource resource) {
		if (resource != null && !resource.isReadable()) {
			add(property, resource.getDescription(), "cannot be read",
					"point it at an existing PEM file, such as 'file:/etc/tls/ca.pem' or 'classpath:ca.pem'");
		}
		return resource;
	}

	String name(String property, String value, String fix) {
		try {
			RouteArguments.name(property, value);
		}
		catch (IllegalArgumentException ex) {
			add(property, value, ex.getMessage().substring(property.length() + 1), fix);
		}
		return value;
	}

}
