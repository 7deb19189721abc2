package io.github.rpcclient.resilience;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request messages one service's retried and hedged calls may keep for replay, as
 * grpc-java's {@code perRpcBufferLimit} and {@code retryBufferSize} (1 MiB per call and 16 MiB per
 * channel by default): past either, the call commits to its current attempt and is not retried.
 * Lock-free.
 */
final class ReplayBufferLimits {

	private final long perCall;

	private final long perService;

	private final AtomicLong used = new AtomicLong();

	ReplayBufferLimits(long perCall, long perService) {
		this.perCall = perCall;
		this.perService = perService;
	}

	/**
	 * Counts bytes kept by one call.
	 * @param bytes the bytes added
	 * @param callTotal the call's bytes, these included
	 * @return whether both limits still hold
	 */
	boolean reserve(long bytes, long callTotal) {
		long serviceTotal = this.used.addAndGet(bytes);
		return callTotal <= this.perCall && serviceTotal <= this.perService;
	}

	/**
	 * Gives back the bytes a call kept.
	 * @param bytes the bytes
	 */
	void release(long bytes) {
		if (bytes > 0) {
			this.used.addAndGet(-bytes);
		}
	}

	/** @return the bytes kept by the service's calls now */
	long used() {
		return this.used.get();
	}

}
