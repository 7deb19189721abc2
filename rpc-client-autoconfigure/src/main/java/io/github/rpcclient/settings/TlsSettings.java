package io.github.rpcclient.settings;

import org.springframework.core.io.Resource;
import org.springframework.lang.Nullable;

/**
 * Transport security of a service. Trust and identity come from a Spring Boot SSL bundle or from
 * PEM files (never both); a client certificate makes it mutual TLS.
 *
 * @param enabled whether the channel uses TLS
 * @param sslBundle the Spring Boot SSL bundle, or {@code null} to use the PEM files
 * @param trustCert PEM file of the authorities to trust, or {@code null} for the JDK's defaults
 * @param certChain PEM client certificate chain for mutual TLS, or {@code null}
 * @param privateKey PEM PKCS#8 client key for mutual TLS, or {@code null}
 * @param authorityOverride host name to verify the server certificate against, or {@code null}
 */
public record TlsSettings(boolean enabled, @Nullable String sslBundle, @Nullable Resource trustCert,
		@Nullable Resource certChain, @Nullable Resource privateKey, @Nullable String authorityOverride) {

	/**
	 * @return whether the client presents a certificate (mutual TLS from PEM files)
	 */
	public boolean hasClientCertificate() {
		return this.certChain != null && this.privateKey != null;
	}

}
