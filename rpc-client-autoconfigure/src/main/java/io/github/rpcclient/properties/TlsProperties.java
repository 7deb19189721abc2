package io.github.rpcclient.properties;

import org.springframework.core.io.Resource;

/**
 * Transport security. Trust and identity come either from a Spring Boot SSL bundle
 * ({@code spring.ssl.bundle.*}) or from PEM files; a client certificate makes it mutual TLS.
 */
public class TlsProperties {

	/**
	 * Whether to use TLS. Without TLS the channel is plaintext.
	 */
	private boolean enabled = false;

	/**
	 * Name of a Spring Boot SSL bundle that supplies trust material and, for mTLS, the client key.
	 */
	private String sslBundle;

	/**
	 * PEM file of the certificate authorities to trust. Unset trusts the JDK's default authorities.
	 */
	private Resource trustCert;

	/**
	 * PEM file of the client certificate chain, for mutual TLS. Requires 'private-key'.
	 */
	private Resource certChain;

	/**
	 * PEM file of the client's PKCS#8 private key, for mutual TLS. Requires 'cert-chain'.
	 */
	private Resource privateKey;

	/**
	 * Authority (host name) to verify the server certificate against and to send as ':authority',
	 * when it differs from the address's host.
	 */
	private String authorityOverride;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getSslBundle() {
		return this.sslBundle;
	}

	public void setSslBundle(String sslBundle) {
		this.sslBundle = sslBundle;
	}

	public Resource getTrustCert() {
		return this.trustCert;
	}

	public void setTrustCert(Resource trustCert) {
		this.trustCert = trustCert;
	}

	public Resource getCertChain() {
		return this.certChain;
	}

	public void setCertChain(Resource certChain) {
		this.certChain = certChain;
	}

	public Resource getPrivateKey() {
		return this.privateKey;
	}

	public void setPrivateKey(Resource privateKey) {
		this.privateKey = privateKey;
	}

	public String getAuthorityOverride() {
		return this.authorityOverride;
	}

	public void setAuthorityOverride(String authorityOverride) {
		this.authorityOverride = authorityOverride;
	}

}
