package io.github.rpcclient.channel;

import java.util.concurrent.atomic.LongAdder;

import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Counts a service's calls from start to close (retries and their backoffs included), so that a
 * graceful shutdown waits for the calls themselves rather than for grpc-java's transports, which
 * may linger for seconds after the last call. A call whose start throws is counted out at once.
 * Counts calls started and failed too (for the actuator endpoint). Striped counters: no lock on
 * the call path. An observer, so that it shares the call object of the observers next to it.
 */
final class InFlightCalls implements CallObserver, CallCounts {

	private final LongAdder count = new LongAdder();

	private final LongAdder started = new LongAdder();

	private final LongAdder failed = new LongAdder();

	@Override
	public void onStart(ObservedCall<?, ?> call, Metadata headers) {
		this.count.increment();
		this.started.increment();
	}

	@Override
	public Status onClose(ObservedCall<?, ?> call, Status status) {
		if (!status.isOk()) {
			this.failed.increment();
		}
		this.count.decrement();
		return status;
	}

	@Override
	public long inFlight() {
		return this.count.sum();
	}

	@Override
	public long started() {
		return this.started.sum();
	}

	@Override
	public long failed() {
		return this.failed.sum();
	}

}
