package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.channel.GrpcAddress;
import io.github.rpcclient.config.ConfigurationViolation;
import io.github.rpcclient.config.InvalidServiceConfigurationException;

/**
 * Checks {@code grpc-clients.routing.*} at start-up, listing every violation.
 */
final class RoutingPropertiesValidator {

	private static final String PREFIX = "grpc-clients.routing.";

	private RoutingPropertiesValidator() {
	}

	static RoutingProperties validate(RoutingProperties routing) {
		List<ConfigurationViolation> violations = new ArrayList<>();
		name(violations, "namespace", routing.getNamespace());
		name(violations, "key-prefix", routing.getKeyPrefix());
		positive(violations, "link-ttl", routing.getLinkTtl());
		positive(violations, "command-timeout", routing.getCommandTimeout());
		positive(violations, "heartbeat-ttl", routing.getHeartbeatTtl());
		positive(violations, "registry-refresh", routing.getRegistryRefresh());
		positive(violations, "pod-removal-after", routing.getPodRemovalAfter());
		if (routing.getNearCacheTtl() != null) {
			positive(violations, "near-cache-ttl", routing.getNearCacheTtl());
		}
		if (routing.getLinkTtl() != null && routing.getNearCacheTtl() != null
				&& routing.getNearCacheTtl().compareTo(routing.getLinkTtl()) >= 0) {
			violations.add(new ConfigurationViolation(PREFIX + "near-cache-ttl", routing.getNearCacheTtl(),
					"is not shorter than link-ttl " + routing.getLinkTtl(),
					"make it shorter, so that users in use refresh their link in Redis before it expires"));
		}
		if (routing.getNearCacheMaxSize() < 1) {
			violations.add(new ConfigurationViolation(PREFIX + "near-cache-max-size", routing.getNearCacheMaxSize(),
					"is below 1", "use 1 or more"));
		}
		RoutingProperties.Publish publish = routing.getPublish();
		if (publish.isEnabled()) {
			name(violations, "publish.service", publish.getService());
			if (publish.getIndex() < 1) {
				violations.add(new ConfigurationViolation(PREFIX + "publish.index", publish.getIndex(), "is below 1",
						"number pods from 1, such as the StatefulSet ordinal + 1"));
			}
			try {
				GrpcAddress.parse(publish.getAddress());
			}
			catch (IllegalArgumentException ex) {
				violations.add(new ConfigurationViolation(PREFIX + "publish.address", publish.getAddress(),
						"is not a valid address: it " + ex.getMessage(), "use the 'host:port' clients reach this pod at"));
			}
			if (publish.getInterval() != null) {
				positive(violations, "publish.interval", publish.getInterval());
			}
		}
		if (!violations.isEmpty()) {
			throw new InvalidServiceConfigurationException(violations);
		}
		return routing;
	}

	private static void name(List<ConfigurationViolation> violations, String property, String value) {
		try {
			RouteArguments.name(property, value);
		}
		catch (IllegalArgumentException ex) {
			violations.add(new ConfigurationViolation(PREFIX + property, value, ex.getMessage().substring(
					property.length() + 1), "use a short name without control characters"));
		}
	}

	private static void positive(List<ConfigurationViolation> violations, String property, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			violations.add(new ConfigurationViolation(PREFIX + property, value, "is not a positive duration",
					"use a positive duration such as '5s'"));
		}
	}

}
