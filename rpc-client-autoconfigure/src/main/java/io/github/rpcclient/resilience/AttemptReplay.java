package io.github.rpcclient.resilience;

import java.util.ArrayList;
import java.util.List;

import io.grpc.ClientCall;
import io.grpc.Metadata;

import org.springframework.lang.Nullable;

/**
 * What the caller did on a retried call that the next attempt must do again: the request headers,
 * flow-control requests, message compression, the request messages and the half-close. Each is
 * recorded and passed to the attempt running at the time; messages are kept until the call commits
 * to an attempt. Not thread-safe: the retrying call uses it under its lock.
 *
 * @param <Q> the request type
 */
final class AttemptReplay<Q> {

	/** The header grpc-java's own retry sends with the number of earlier attempts. */
	static final Metadata.Key<String> PREVIOUS_ATTEMPTS = Metadata.Key.of("grpc-previous-rpc-attempts",
			Metadata.ASCII_STRING_MARSHALLER);

	private final Metadata headers = new Metadata();

	private final List<Q> messages = new ArrayList<>(1);

	private int requested;

	private boolean halfClosed;

	@Nullable
	private Boolean messageCompression;

	private boolean committed;

	void recordHeaders(Metadata callHeaders) {
		this.headers.merge(callHeaders);
	}

	/**
	 * @param previousAttempts the number of attempts made so far
	 * @return the request headers for the next attempt, which say how many came before it
	 */
	Metadata headersAfter(int previousAttempts) {
		Metadata attemptHeaders = new Metadata();
		attemptHeaders.merge(this.headers);
		attemptHeaders.put(PREVIOUS_ATTEMPTS, Integer.toString(previousAttempts));
		return attemptHeaders;
	}

	void request(int numMessages, @Nullable ClientCall<Q, ?> attempt) {
		if (!this.committed) {
			this.requested = (int) Math.min((long) this.requested + numMessages, Integer.MAX_VALUE);
		}
		if (attempt != null) {
			attempt.request(numMessages);
		}
	}

	void sendMessage(Q message, @Nullable ClientCall<Q, ?> attempt) {
		if (!this.committed) {
			this.messages.add(message);
		}
		if (attempt != null) {
			attempt.sendMessage(message);
		}
	}

	void halfClose(@Nullable ClientCall<Q, ?> attempt) {
		this.halfClosed = true;
		if (attempt != null) {
			attempt.halfClose();
		}
	}

	void setMessageCompression(boolean enabled, @Nullable ClientCall<Q, ?> attempt) {
		this.messageCompression = enabled;
		if (attempt != null) {
			attempt.setMessageCompression(enabled);
		}
	}

	/** The call is committed to its current attempt: nothing needs replaying any more. */
	void commit() {
		this.committed = true;
		this.messages.clear();
	}

	/**
	 * Does on a new attempt, which has just started, everything the caller has done so far.
	 * @param attempt the attempt
	 */
	void replayOnto(ClientCall<Q, ?> attempt) {
		if (this.requested > 0) {
			attempt.request(this.requested);
		}
		if (this.messageCompression != null) {
			attempt.setMessageCompression(this.messageCompression);
		}
		for (Q message : this.messages) {
			attempt.sendMessage(message);
		}
		if (this.halfClosed) {
			attempt.halfClose();
		}
	}

}
