package io.github.rpcclient.channel;

import java.util.concurrent.Executor;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * A call that fails with a status as soon as it starts, without reaching the network: for
 * interceptors that refuse a call (an open circuit breaker, a stateful call without a user). The
 * listener is closed on the call's executor ({@link CallExecutors#of}), never inside
 * {@code start}'s caller frame, nor under any lock of the caller.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
public final class FailingClientCall<Q, R> extends ClientCall<Q, R> {

	private final Status status;

	private final Executor executor;

	@Nullable
	private final Metadata trailers;

	/**
	 * Creates the call.
	 * @param status the status it fails with
	 * @param executor the call's executor ({@code CallOptions.getExecutor()}), or {@code null} for
	 * the shared pool of {@link CallExecutors}
	 */
	public FailingClientCall(Status status, @Nullable Executor executor) {
		this(status, null, executor);
	}

	/**
	 * Creates the call.
	 * @param status the status it fails with
	 * @param trailers the trailers it closes with, or {@code null} for none
	 * @param executor the call's executor ({@code CallOptions.getExecutor()}), or {@code null} for
	 * the shared pool of {@link CallExecutors}
	 */
	public FailingClientCall(Status status, @Nullable Metadata trailers, @Nullable Executor executor) {
		this.status = status;
		this.trailers = trailers;
		this.executor = (executor != null) ? executor : CallExecutors.of(CallOptions.DEFAULT);
	}

	@Override
	public void start(Listener<R> listener, Metadata headers) {
		if (this.trailers == null) {
			closeOn(this.executor, listener, this.status);
		}
		else {
			Metadata copy = new Metadata();
			copy.merge(this.trailers);
			CallExecutors.execute(this.executor, () -> listener.onClose(this.status, copy));
		}
	}

	/**
	 * Closes a call's listener with a status, on the call's executor (a blocking stub waits on its
	 * executor, not on the listener), or on the shared pool if that executor refuses.
	 * @param executor the call's executor, from {@link CallExecutors#of}
	 * @param listener the listener to close
	 * @param status the status to close it with
	 * @param <R> the response type
	 */
	public static <R> void closeOn(Executor executor, Listener<R> listener, Status status) {
		CallExecutors.execute(executor, () -> listener.onClose(status, new Metadata()));
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
