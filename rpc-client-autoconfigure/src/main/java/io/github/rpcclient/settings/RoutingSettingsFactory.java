package io.github.rpcclient.settings;

import java.time.Duration;

import io.github.rpcclient.properties.RoutingProperties;

/**
 * Resolves {@code grpc-clients.routing.*} into {@link RoutingSettings}, checking every value and
 * reporting every violation at once.
 */
public final class RoutingSettingsFactory {

	/** The upper bound of Lettuce's default reconnect backoff ({@code Delay.exponential()}). */
	private static final Duration LETTUCE_LONGEST_RECONNECT_DELAY = Duration.ofSeconds(30);

	private static final String NAME_FIX = "use a short name without control characters";

	private RoutingSettingsFactory() {
	}

	/**
	 * Resolves the routing properties.
	 * @param routing the bound properties
	 * @return the settings
	 * @throws InvalidServiceConfigurationException listing every violation found
	 */
	public static RoutingSettings resolve(RoutingProperties routing) {
		SettingsChecker check = new SettingsChecker("grpc-clients.routing.");
		check.name("namespace", routing.getNamespace(), NAME_FIX);
		check.name("key-prefix", routing.getKeyPrefix(), NAME_FIX);
		noBraces(check, "namespace", routing.getNamespace());
		noBraces(check, "key-prefix", routing.getKeyPrefix());
		Duration linkTtl = check.positive("link-ttl", routing.getLinkTtl());
		Duration nearCacheTtl = routing.getNearCacheTtl();
		if (nearCacheTtl != null) {
			check.positive("near-cache-ttl", nearCacheTtl);
			if (linkTtl != null && nearCacheTtl.compareTo(linkTtl) >= 0) {
				check.add("near-cache-ttl", nearCacheTtl, "is not shorter than link-ttl " + linkTtl,
						"make it shorter, so that users in use refresh their link in Redis before it expires");
			}
		}
		else if (linkTtl != null) {
			Duration minute = Duration.ofSeconds(60);
			nearCacheTtl = (linkTtl.compareTo(minute) > 0) ? linkTtl.minus(minute) : linkTtl.dividedBy(2);
		}
		Duration reconnectGrace = routing.getReconnectGrace();
		if (reconnectGrace != null) {
			check.nonNegative("reconnect-grace", reconnectGrace);
		}
		else if (routing.getHeartbeatTtl() != null) {
			reconnectGrace = routing.getHeartbeatTtl().plus(LETTUCE_LONGEST_RECONNECT_DELAY);
		}
		RoutingSettings settings = new RoutingSettings(routing.getNamespace(), linkTtl, nearCacheTtl,
				check.atLeastOne("near-cache-max-size", routing.getNearCacheMaxSize()),
				check.positive("command-timeout", routing.getCommandTimeout()), routing.getKeyPrefix(),
				check.positive("heartbeat-ttl", routing.getHeartbeatTtl()),
				check.positive("registry-refresh", routing.getRegistryRefresh()), reconnectGrace,
				check.positive("pod-removal-after", routing.getPodRemovalAfter()), publish(routing, check));
		check.throwIfAny();
		return settings;
	}

	private static void noBraces(SettingsChecker check, String property, String value) {
		if (value != null && (value.indexOf('{') >= 0 || value.indexOf('}') >= 0)) {
			check.add(property, value, "contains '{' or '}'",
					"remove the braces: they would change the Redis Cluster hash tag of the routing keys");
		}
	}

	private static RoutingSettings.Publish publish(RoutingProperties routing, SettingsChecker check) {
		RoutingProperties.Publish publish = routing.getPublish();
		if (!publish.isEnabled()) {
			return null;
		}
		check.name("publish.service", publish.getService(), NAME_FIX);
		if (publish.getIndex() < 1) {
			check.add("publish.index", publish.getIndex(), "is below 1",
					"number pods from 1, such as the StatefulSet ordinal + 1");
		}
		try {
			GrpcAddress.parse(publish.getAddress());
		}
		catch (IllegalArgumentException ex) {
			check.add("publish.address", publish.getAddress(), "is not a valid address: it " + ex.getMessage(),
					"use the 'host:port' clients reach this pod at");
		}
		Duration interval = publish.getInterval();
		if (interval != null) {
			check.positive("publish.interval", interval);
		}
		else if (routing.getHeartbeatTtl() != null) {
			interval = routing.getHeartbeatTtl().dividedBy(3);
		}
		return new RoutingSettings.Publish(publish.getService(), publish.getIndex(), publish.getAddress(), interval);
	}

}
