package io.github.rpcclient.route;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * A call that fails with a status as soon as it starts, without reaching the network.
 */
final class FailingClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

	private final Status status;

	FailingClientCall(Status status) {
		this.status = status;
	}

	@Override
	public void start(Listener<RespT> listener, Metadata headers) {
		listener.onClose(this.status, new Metadata());
	}

	@Override
	public void request(int numMessages) {
	}

	@Override
	public void cancel(String message, Throwable cause) {
	}

	@Override
	public void halfClose() {
	}

	@Override
	public void sendMessage(ReqT message) {
	}

}
