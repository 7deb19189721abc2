package io.github.rpcclient.resilience;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * Listens to one attempt of a {@link RetryingClientCall}, so that the caller sees one call only:
 * response headers are held back until the first message (or the final status), the first message
 * commits the call to this attempt, and a close is passed on only when no other attempt follows.
 * Its callbacks are serialized by gRPC.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
final class AttemptListener<Q, R> extends ClientCall.Listener<R> {

	private final RetryingClientCall<Q, R> call;

	private final ClientCall<Q, R> attempt;

	@Nullable
	private Metadata responseHeaders;

	private boolean committed;

	AttemptListener(RetryingClientCall<Q, R> call, ClientCall<Q, R> attempt) {
		this.call = call;
		this.attempt = attempt;
	}

	@Override
	public void onHeaders(Metadata headers) {
		if (this.committed) {
			this.call.listener().onHeaders(headers);
		}
		else {
			this.responseHeaders = headers;
		}
	}

	@Override
	public void onMessage(R message) {
		if (!this.committed) {
			this.call.commit();
			this.committed = true;
			passHeldHeaders();
		}
		this.call.listener().onMessage(message);
	}

	@Override
	public void onReady() {
		if (this.call.isCurrent(this.attempt)) {
			this.call.listener().onReady();
		}
	}

	@Override
	public void onClose(Status status, Metadata trailers) {
		if (this.call.attemptClosed(this.attempt, status, this.committed)) {
			passHeldHeaders();
			this.call.listener().onClose(status, trailers);
		}
	}

	private void passHeldHeaders() {
		if (this.responseHeaders != null) {
			this.call.listener().onHeaders(this.responseHeaders);
			this.responseHeaders = null;
		}
	}

}
