package io.github.rpcclient.resilience;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import com.google.protobuf.MessageLite;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

import org.springframework.lang.Nullable;

/**
 * What the caller did on a retried or hedged call, kept so that each new attempt can be brought up
 * to date: the request headers, flow-control requests, message compression, the request messages
 * and the half-close. Messages are kept until the call has committed to an attempt that has them
 * all, and their bytes count against the per-call and per-service replay limits.
 * <p>
 * Lock-free, with one writer: the caller's thread appends (the caller's steps are serialized, as
 * {@link io.grpc.ClientCall} requires; {@link #request} may come from any thread and is atomic),
 * and any thread may read what was appended before it read {@link #messageCount()}: each step is
 * written before the volatile field that announces it.
 *
 * @param <Q> the request type
 */
final class AttemptReplay<Q> {

	/** The header grpc-java's own retry sends with the number of earlier attempts. */
	static final Metadata.Key<String> PREVIOUS_ATTEMPTS = Metadata.Key.of("grpc-previous-rpc-attempts",
			Metadata.ASCII_STRING_MARSHALLER);

	private static final VarHandle REQUESTED;

	private static final VarHandle BUFFERED_BYTES;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			REQUESTED = lookup.findVarHandle(AttemptReplay.class, "requested", int.class);
			BUFFERED_BYTES = lookup.findVarHandle(AttemptReplay.class, "bufferedBytes", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final MethodDescriptor<Q, ?> method;

	private final ReplayBufferLimits limits;

	/** A copy of the caller's headers, made before the first attempt starts; written once. */
	@Nullable
	private Metadata headers;

	/** The first request message: a unary call has no other, so needs no array. */
	@Nullable
	private Q firstMessage;

	/** The request messages after the first, for streaming calls. */
	@Nullable
	private Object[] laterMessages;

	private volatile int messageCount;

	private volatile int requested;

	private volatile boolean halfClosed;

	/** 0 for none yet, 1 for off, 2 for on. */
	private volatile byte messageCompression;

	/** The bytes kept, or -1 once released. */
	private volatile long bufferedBytes;

	AttemptReplay(MethodDescriptor<Q, ?> method, ReplayBufferLimits limits) {
		this.method = method;
		this.limits = limits;
	}

	void recordHeaders(Metadata callHeaders) {
		Metadata copy = new Metadata();
		copy.merge(callHeaders);
		this.headers = copy;
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

	/** Any thread. */
	void request(int numMessages) {
		int before;
		do {
			before = this.requested;
		}
		while (!REQUESTED.compareAndSet(this, before, (int) Math.min((long) before + numMessages, Integer.MAX_VALUE)));
	}

	/**
	 * Keeps a request message for the attempts to come.
	 * @param message the message
	 * @return whether it still fits the replay limits; if not, the call must commit to an attempt
	 */
	boolean sendMessage(Q message) {
		int count = this.messageCount;
		if (count == 0) {
			this.firstMessage = message;
		}
		else {
			Object[] later = this.laterMessages;
			if (later == null || later.length < count) {
				later = (later == null) ? new Object[4] : Arrays.copyOf(later, later.length * 2);
				this.laterMessages = later;
			}
			later[count - 1] = message;
		}
		this.messageCount = count + 1;
		long size = sizeOf(message);
		long before;
		do {
			before = this.bufferedBytes;
			if (before < 0) {
				// Released: the call has committed, the message only passes through.
				return true;
			}
		}
		while (!BUFFERED_BYTES.compareAndSet(this, before, before + size));
		return this.limits.reserve(size, before + size);
	}

	void halfClose() {
		this.halfClosed = true;
	}

	void setMessageCompression(boolean enabled) {
		this.messageCompression = (byte) (enabled ? 2 : 1);
	}

	int requested() {
		return this.requested;
	}

	/** @return the compression the caller set: {@code null} for none yet */
	@Nullable
	Boolean messageCompression() {
		byte compression = this.messageCompression;
		return (compression == 0) ? null : compression == 2;
	}

	/** @return whether the caller half-closed; read it before {@link #messageCount()} */
	boolean halfClosed() {
		return this.halfClosed;
	}

	int messageCount() {
		return this.messageCount;
	}

	/**
	 * @param index a message's index, below a {@link #messageCount()} read before
	 * @return the message, or {@code null} if it was forgotten (the call committed to another
	 * attempt)
	 */
	@Nullable
	@SuppressWarnings("unchecked")
	Q message(int index) {
		if (index == 0) {
			return this.firstMessage;
		}
		Object[] later = this.laterMessages;
		return (later != null) ? (Q) later[index - 1] : null;
	}

	/**
	 * The committed attempt has the messages before an index: they need not be kept any more.
	 * Called by that attempt's forwarding only.
	 * @param count the number of messages it has
	 */
	void forget(int count) {
		if (count <= 0) {
			return;
		}
		this.firstMessage = null;
		Object[] later = this.laterMessages;
		if (later != null) {
			Arrays.fill(later, 0, Math.min(count - 1, later.length), null);
		}
	}

	/**
	 * The call committed to an attempt: the bytes kept no longer count against the limits, and
	 * later messages are not counted. Idempotent, any thread.
	 */
	void release() {
		if (this.bufferedBytes < 0) {
			return;
		}
		long bytes = (long) BUFFERED_BYTES.getAndSet(this, -1L);
		if (bytes > 0) {
			this.limits.release(bytes);
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

}
