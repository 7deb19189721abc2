package io.github.rpcclient.channel;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * A call that fails with a status as soon as it starts, without reaching the network: for
 * interceptors that refuse a call (an open circuit breaker, a stateful call without a user). The
 * listener is closed on the call's executor when it has one, never inside {@code start}'s caller
 * frame otherwise.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
public final class FailingClientCall<Q, R> extends ClientCall<Q, R> {

	private final Status status;

	@Nullable
	private final Executor executor;

	/**
	 * Creates the call.
	 * @param status the status it fails with
	 * @param executor the call's executor ({@code CallOptions.getExecutor()}), or {@code null}
	 */
	public FailingClientCall(Status status, @Nullable Executor executor) {
		this.status = status;
		this.executor = executor;
	}

	@Override
	public void start(Listener<R> listener, Metadata headers) {
		closeOn(this.executor, listener, this.status);
	}

	/**
	 * Closes a call's listener with a status, on the call's executor when it has one (a blocking
	 * stub waits on its executor, not on the listener), else, or when the executor refuses, on the
	 * caller's thread.
	 * @param executor the call's executor ({@code CallOptions.getExecutor()}), or {@code null}
	 * @param listener the listener to close
	 * @param status the status to close it with
	 * @param <R> the response type
	 */
	public static <R> void closeOn(@Nullable Executor executor, Listener<R> listener, Status status) {
		if (executor == null) {
			listener.onClose(status, new Metadata());
			return;
		}
		try {
			executor.execute(() -> listener.onClose(status, new Metadata()));
		}
		catch (RejectedExecutionException ex) {
			listener.onClose(status, new Metadata());
		}
	}

	@Override
	public void request(int numMessages) {
	}

	@Override
	public void cancel(@Nullable String message, @Nullable Throwable cause) {
	}

	@Override
	public void halfClose() {
	}

	@Override
	public void sendMessage(Q message) {
	}

}
