package io.github.rpcclient.resilience;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.MessageLite;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

import org.springframework.lang.Nullable;

/**
 * What the caller did on a retried or hedged call, kept so that each new attempt can be brought up
 * to date: the request headers, flow-control requests, message compression, the request messages
 * and the half-close. Each attempt catches up step by step ({@link #nextStep}); messages are kept
 * until the call has committed to an attempt that has them all, and their bytes count against the
 * per-call and per-service replay limits. Not thread-safe: the call uses it under its lock, and
 * applies the steps outside it.
 *
 * @param <Q> the request type
 */
final class AttemptReplay<Q> {

	/** The header grpc-java's own retry sends with the number of earlier attempts. */
	static final Metadata.Key<String> PREVIOUS_ATTEMPTS = Metadata.Key.of("grpc-previous-rpc-attempts",
			Metadata.ASCII_STRING_MARSHALLER);

	private final MethodDescriptor<Q, ?> method;

	private final ReplayBufferLimits limits;

	private final Metadata headers = new Metadata();

	/** The first request message: a unary call has no other, so needs no list. */
	@Nullable
	private Q firstMessage;

	/** The request messages after the first, for streaming calls. */
	@Nullable
	private List<Q> laterMessages;

	private int messageCount;

	private int requested;

	private boolean halfClosed;

	@Nullable
	private Boolean messageCompression;

	private long bufferedBytes;

	private boolean released;

	AttemptReplay(MethodDescriptor<Q, ?> method, ReplayBufferLimits limits) {
		this.method = method;
		this.limits = limits;
	}

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

	void request(int numMessages) {
		this.requested = (int) Math.min((long) this.requested + numMessages, Integer.MAX_VALUE);
	}

	/**
	 * Keeps a request message for the attempts to come.
	 * @param message the message
	 * @return whether it still fits the replay limits; if not, the call must commit to an attempt
	 */
	boolean sendMessage(Q message) {
		if (this.released) {
			return false;
		}
		if (this.messageCount == 0) {
			this.firstMessage = message;
		}
		else {
			if (this.laterMessages == null) {
				this.laterMessages = new ArrayList<>();
			}
			this.laterMessages.add(message);
		}
		this.messageCount++;
		long size = sizeOf(message);
		this.bufferedBytes += size;
		return this.limits.reserve(size, this.bufferedBytes);
	}

	void halfClose() {
		this.halfClosed = true;
	}

	void setMessageCompression(boolean enabled) {
		this.messageCompression = enabled;
	}

	/**
	 * Moves an attempt one step closer to what the caller has done, recording that step on it.
	 * @param attempt the attempt's progress
	 * @return whether there was a step to take (applied by the caller outside the lock)
	 */
	boolean nextStep(Progress<Q> attempt) {
		attempt.clearStep();
		boolean step = false;
		if (attempt.requested < this.requested) {
			attempt.stepRequest = this.requested - attempt.requested;
			attempt.requested = this.requested;
			step = true;
		}
		if (this.messageCompression != null && this.messageCompression != attempt.compression) {
			attempt.stepCompression = this.messageCompression;
			attempt.compression = this.messageCompression;
			step = true;
		}
		if (attempt.messages < this.messageCount) {
			attempt.stepMessage = (attempt.messages == 0) ? this.firstMessage
					: this.laterMessages.get(attempt.messages - 1);
			attempt.messages++;
			return true;
		}
		if (this.halfClosed && !attempt.halfClosed) {
			attempt.halfClosed = true;
			attempt.stepHalfClose = true;
			return true;
		}
		return step;
	}

	/**
	 * The call committed to an attempt that is up to date: nothing needs keeping any more. The
	 * buffered bytes are given back to the per-service limit. Idempotent.
	 */
	void release() {
		if (!this.released) {
			this.released = true;
			this.firstMessage = null;
			this.laterMessages = null;
			this.messageCount = 0;
			this.limits.release(this.bufferedBytes);
		}
	}

	private long sizeOf(Q message) {
		if (message instanceof MessageLite protobuf) {
			return protobuf.getSerializedSize();
		}
		try (InputStream stream = this.method.streamRequest(message)) {
			return (stream instanceof KnownLength) ? stream.available() : 0;
		}
		catch (IOException ex) {
			return 0;
		}
	}

	/**
	 * How far one attempt has caught up with the caller, and the step it is to take next.
	 *
	 * @param <Q> the request type
	 */
	static final class Progress<Q> {

		private int requested;

		private int messages;

		private boolean halfClosed;

		@Nullable
		private Boolean compression;

		int stepRequest;

		@Nullable
		Boolean stepCompression;

		@Nullable
		Q stepMessage;

		boolean stepHalfClose;

		private void clearStep() {
			this.stepRequest = 0;
			this.stepCompression = null;
			this.stepMessage = null;
			this.stepHalfClose = false;
		}

	}

}
