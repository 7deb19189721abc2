package io.github.rpcclient.properties;

import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code META-INF/spring-configuration-metadata.json} generated for the jar documents the
 * properties with descriptions and defaults, so IDEs can complete and explain them.
 */
class ConfigurationMetadataTest {

	private static final Map<String, JsonNode> properties = new HashMap<>();

	private static final Map<String, JsonNode> groups = new HashMap<>();

	@BeforeAll
	static void readGeneratedMetadata() throws Exception {
		ObjectMapper mapper = new ObjectMapper();
		for (URL url : Collections.list(ConfigurationMetadataTest.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				JsonNode root = mapper.readTree(in);
				root.path("groups").forEach((group) -> {
					if (group.path("name").asText().startsWith("grpc-clients")) {
						groups.put(group.path("name").asText(), group);
					}
				});
				root.path("properties").forEach((property) -> {
					if (property.path("name").asText().startsWith("grpc-clients.")) {
						properties.put(property.path("name").asText(), property);
					}
				});
			}
		}
		assertThat(properties).as("grpc-clients properties in the generated metadata").isNotEmpty();
	}

	@Test
	void serviceDefaultsAreDocumentedWithTheirDefaults() {
		assertDefault("grpc-clients.enabled", "true");
		assertDefault("grpc-clients.defaults.timeout", "30s");
		assertDefault("grpc-clients.defaults.connect", "lazy");
		assertDefault("grpc-clients.defaults.connect-timeout", "10s");
		assertDefault("grpc-clients.defaults.idle-timeout", "5m");
		assertDefault("grpc-clients.defaults.keepalive.time", "5m");
		assertDefault("grpc-clients.defaults.keepalive.timeout", "20s");
		assertDefault("grpc-clients.defaults.keepalive.without-calls", "false");
		assertDefault("grpc-clients.defaults.max-inbound-message-size", "4MB");
		assertDefault("grpc-clients.defaults.max-inbound-metadata-size", "8KB");
		assertDefault("grpc-clients.defaults.load-balancing-policy", "pick_first");
		assertDefault("grpc-clients.defaults.compression", "none");
		assertDefault("grpc-clients.defaults.shutdown-grace-period", "10s");
		assertDefault("grpc-clients.defaults.tls.enabled", "false");
		assertDefault("grpc-clients.request-id.header", "x-trace-id");
		assertDefault("grpc-clients.request-id.generate-if-absent", "false");
		assertDefault("grpc-clients.logging.enabled", "true");
		assertThat(properties.get("grpc-clients.request-id.mdc-keys").path("defaultValue").toString()).isEqualTo("[\"requestId\",\"traceId\"]");
	}

	@Test
	void servicesListIsDocumented() {
		assertThat(properties).containsKey("grpc-clients.services");
		assertThat(description("grpc-clients.services")).contains("name").contains("address")
			.contains("grpc-clients.defaults");
		assertThat(properties.get("grpc-clients.services").path("type").asText()).contains("ServiceProperties");
		assertThat(groups).containsKeys("grpc-clients", "grpc-clients.defaults", "grpc-clients.defaults.keepalive",
				"grpc-clients.defaults.tls", "grpc-clients.request-id", "grpc-clients.logging");
	}

	@Test
	void everyPropertyHasADescription() {
		assertThat(properties.values()).allSatisfy((property) -> assertThat(property.path("description").asText())
			.as("description of %s", property.path("name").asText())
			.isNotBlank());
	}

	@Test
	void proxyPropertiesAreDocumented() {
		assertDefault("grpc-clients.defaults.proxy.max-pending-calls", "1000");
		assertDefault("grpc-clients.defaults.proxy.reconnect-backoff", "100ms");
		assertDefault("grpc-clients.defaults.proxy.max-reconnect-backoff", "5s");
		assertDefault("grpc-clients.proxy.server.enabled", "false");
		assertThat(description("grpc-clients.proxy.source-service")).contains("spring.application.name");
	}

	private static void assertDefault(String name, String expected) {
		assertThat(properties).as("metadata").containsKey(name);
		assertThat(properties.get(name).path("defaultValue").asText()).as("default of %s", name).isEqualTo(expected);
		assertThat(description(name)).as("description of %s", name).isNotBlank();
	}

	private static String description(String name) {
		return properties.get(name).path("description").asText();
	}

}
