package io.github.rpcclient.settings;

import java.time.Duration;

import io.github.rpcclient.properties.DiscoveryProperties;

/**
 * Resolved {@code grpc-clients.discovery.*} settings.
 *
 * @param refreshInterval how often discovered instances are re-read without being asked
 */
public record DiscoverySettings(Duration refreshInterval) {

	/**
	 * Resolves the discovery properties.
	 * @param discovery the bound properties
	 * @return the settings
	 * @throws InvalidServiceConfigurationException if a value is invalid
	 */
	public static DiscoverySettings resolve(DiscoveryProperties discovery) {
		SettingsChecker check = new SettingsChecker("grpc-clients.discovery.");
		DiscoverySettings settings = new DiscoverySettings(
				check.positive("refresh-interval", discovery.getRefreshInterval()));
		check.throwIfAny();
		return settings;
	}

}
