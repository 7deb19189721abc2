package io.github.rpcclient.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.testing.TlsTesting;

/**
 * grpc-java's interop cases through {@code @GrpcClient} stubs, over TLS: the server presents
 * grpc-java's test certificate {@code server1.pem} (for {@code *.test.google.fr}); the client
 * trusts the test CA through a Spring Boot SSL bundle and verifies the server as
 * {@value #AUTHORITY}, both set with the starter's {@code tls.*} properties.
 */
class TlsInteropTest extends GrpcClientInteropTestBase {

	static final String AUTHORITY = "foo.test.google.fr";

	@Override
	protected ServerCredentials serverCredentials() {
		try {
			return TlsServerCredentials.create(TlsTesting.loadCert("server1.pem"), TlsTesting.loadCert("server1.key"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	protected List<String> clientProperties() {
		return List.of("spring.ssl.bundle.pem.interop-ca.truststore.certificate=classpath:certs/ca.pem",
				"grpc-clients.services[0].tls.enabled=true", "grpc-clients.services[0].tls.ssl-bundle=interop-ca",
				"grpc-clients.services[0].tls.authority-override=" + AUTHORITY);
	}

}
