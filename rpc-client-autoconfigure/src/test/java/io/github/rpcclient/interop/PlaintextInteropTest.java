package io.github.rpcclient.interop;

import java.util.List;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;

/**
 * grpc-java's interop cases through {@code @GrpcClient} stubs, over plaintext HTTP/2.
 */
class PlaintextInteropTest extends GrpcClientInteropTestBase {

	@Override
	protected ServerCredentials serverCredentials() {
		return InsecureServerCredentials.create();
	}

	@Override
	protected List<String> clientProperties() {
		return List.of();
	}

}
