package io.github.rpcclient.actuate;

import java.util.List;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks the secrets the clients read in {@code /actuator/env} and {@code /actuator/configprops}
 * even where an application shows values ({@code management.endpoint.env.show-values: always}),
 * which in Spring Boot 3 shows every value no function masks: the likely-sensitive keys
 * (passwords, private keys, secrets, tokens, credentials, URIs with a password) under
 * {@code spring.data.redis} (the route store), {@code spring.ssl.bundle} (TLS) and
 * {@code grpc-clients}. Other keys are left to the application.
 */
public final class ClientSecretsSanitizer implements SanitizingFunction {

	private static final List<String> PREFIXES = List.of("spring.data.redis.", "spring.ssl.bundle.", "grpc-clients.");

	private final SanitizingFunction sensitive = SanitizingFunction.sanitizeValue().ifLikelySensitive();

	@Override
	public SanitizableData apply(SanitizableData data) {
		String key = data.getLowerCaseKey();
		return PREFIXES.stream().anyMatch(key::startsWith) ? this.sensitive.applyUnlessFiltered(data) : data;
	}

}
