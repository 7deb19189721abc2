package io.github.rpcclient.settings;

import java.util.List;

import io.github.rpcclient.properties.RequestIdProperties;
import io.grpc.Metadata;

/**
 * Resolved request-id propagation ({@code grpc-clients.request-id.*}).
 *
 * @param header the metadata header that carries the id
 * @param mdcKeys the MDC keys looked up, in order, when the gRPC context carries no id
 * @param generateIfAbsent whether a random UUID is sent when no id is found
 */
public record RequestIdSettings(Metadata.Key<String> header, List<String> mdcKeys, boolean generateIfAbsent) {

	private static final String HEADER_PROPERTY = "grpc-clients.request-id.header";

	/**
	 * Copies the key list, so the settings cannot change after they are built.
	 */
	public RequestIdSettings {
		mdcKeys = List.copyOf(mdcKeys);
	}

	/**
	 * Resolves and checks the properties.
	 * @param properties the bound {@code grpc-clients.request-id} properties
	 * @return the settings
	 * @throws InvalidServiceConfigurationException if the header is not a valid text header name
	 */
	public static RequestIdSettings resolve(RequestIdProperties properties) {
		return new RequestIdSettings(headerKey(properties.getHeader()), properties.getMdcKeys(),
				properties.isGenerateIfAbsent());
	}

	private static Metadata.Key<String> headerKey(String name) {
		try {
			if (name == null || name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
				throw new IllegalArgumentException("binary ('-bin') headers cannot carry a text id");
			}
			return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidServiceConfigurationException(List.of(new ConfigurationViolation(HEADER_PROPERTY, name,
					"is not a valid metadata header name: " + ex.getMessage(),
					"use letters, digits, '-', '_' and '.', such as 'x-request-id'")));
		}
	}

}
