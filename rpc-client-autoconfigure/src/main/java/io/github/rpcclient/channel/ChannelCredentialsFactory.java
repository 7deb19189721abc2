package io.github.rpcclient.channel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.github.rpcclient.settings.TlsSettings;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.lang.Nullable;

/**
 * Creates the channel credentials of a service: plaintext, TLS or mutual TLS, from a Spring Boot
 * SSL bundle or from PEM files.
 */
public class ChannelCredentialsFactory {

	@Nullable
	private final SslBundles sslBundles;

	/**
	 * Creates the factory.
	 * @param sslBundles the SSL bundles services may name, or {@code null} if there are none
	 */
	public ChannelCredentialsFactory(@Nullable SslBundles sslBundles) {
		this.sslBundles = sslBundles;
	}

	/**
	 * Creates credentials for the given TLS settings.
	 * @param tls the settings
	 * @return the credentials
	 */
	public ChannelCredentials create(TlsSettings tls) {
		if (!tls.enabled()) {
			return InsecureChannelCredentials.create();
		}
		TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
		if (tls.sslBundle() != null) {
			if (this.sslBundles == null) {
				throw new IllegalStateException("No SSL bundles are configured, so tls.ssl-bundle '" + tls.sslBundle()
						+ "' cannot be found");
			}
			SslBundle bundle = this.sslBundles.getBundle(tls.sslBundle());
			builder.trustManager(bundle.getManagers().getTrustManagers());
			if (bundle.getStores().getKeyStore() != null) {
				builder.keyManager(bundle.getManagers().getKeyManagers());
			}
			return builder.build();
		}
		try {
			if (tls.trustCert() != null) {
				try (InputStream trust = tls.trustCert().getInputStream()) {
					builder.trustManager(trust);
				}
			}
			if (tls.hasClientCertificate()) {
				try (InputStream chain = tls.certChain().getInputStream();
						InputStream key = tls.privateKey().getInputStream()) {
					builder.keyManager(chain, key);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot load TLS material: " + ex.getMessage(), ex);
		}
		return builder.build();
	}

}
