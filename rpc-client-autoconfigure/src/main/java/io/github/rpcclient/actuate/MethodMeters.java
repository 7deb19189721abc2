package io.github.rpcclient.actuate;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import org.springframework.lang.Nullable;

/**
 * The meters of one method of one service towards one authority, resolved once and reused by every
 * call: the names and tags are those that Micrometer's {@code ObservationGrpcClientInterceptor}
 * with its {@code DefaultMeterObservationHandler} records ({@code grpc.client} timer,
 * {@code grpc.client.active} long task timer, {@code grpc.client.sent} and
 * {@code grpc.client.received} counters), so dashboards do not change. A timer is created the first
 * time its status is seen.
 */
final class MethodMeters {

	static final String NAME = "grpc.client";

	private static final String UNKNOWN = "UNKNOWN";

	private static final String NO_ERROR = "none";

	private final MeterRegistry registry;

	private final Tags tags;

	@Nullable
	private final LongTaskTimer active;

	private final Tags started;

	/** Registered on the first message, as the observation's counters are. */
	@Nullable
	private volatile Counter sent;

	@Nullable
	private volatile Counter received;

	private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(Status.Code.values().length);

	MethodMeters(MeterRegistry registry, Tags serviceTags, String authority, MethodDescriptor<?, ?> method,
			boolean longTaskTimer) {
		this.registry = registry;
		this.tags = serviceTags.and(methodTags(authority, method));
		this.started = this.tags.and("grpc.status_code", UNKNOWN);
		this.active = longTaskTimer ? LongTaskTimer.builder(NAME + ".active").tags(this.started).register(registry)
				: null;
	}

	private static Tags methodTags(String authority, MethodDescriptor<?, ?> method) {
		String peerName = authority;
		String peerPort = UNKNOWN;
		try {
			URI uri = new URI(null, authority, null, null, null);
			peerName = uri.getHost();
			peerPort = Integer.toString(uri.getPort());
		}
		catch (Exception ex) {
			// as the observation: a peer that is no host:port keeps the port unknown
		}
		return Tags.of("net.peer.name", String.valueOf(peerName), "net.peer.port", peerPort, "rpc.method",
				String.valueOf(method.getBareMethodName()), "rpc.service", String.valueOf(method.getServiceName()),
				"rpc.type", method.getType().name());
	}

	@Nullable
	LongTaskTimer.Sample start() {
		return (this.active != null) ? this.active.start() : null;
	}

	void sent() {
		Counter counter = this.sent;
		if (counter == null) {
			counter = counter("sent");
			this.sent = counter;
		}
		counter.increment();
	}

	void received() {
		Counter counter = this.received;
		if (counter == null) {
			counter = counter("received");
			this.received = counter;
		}
		counter.increment();
	}

	private Counter counter(String event) {
		// registering twice in a race returns the same counter
		return Counter.builder(NAME + "." + event).tags(this.started).register(this.registry);
	}

	/**
	 * Records the duration of an attempt that ended with a status.
	 * @param status the status
	 * @param nanos the duration
	 */
	void record(Status status, long nanos) {
		Throwable error = status.getCause();
		if (error != null && status.getCode() != Status.Code.OK && status.getCode() != Status.Code.CANCELLED) {
			recordError(status.getCode().name(), error, nanos);
			return;
		}
		int index = status.getCode().value();
		Timer timer = this.timers.get(index);
		if (timer == null) {
			timer = timer(status.getCode().name(), NO_ERROR);
			this.timers.set(index, timer);
		}
		timer.record(nanos, TimeUnit.NANOSECONDS);
	}

	/**
	 * Records an attempt that failed with an exception (its start threw, or its status carries a
	 * cause): the error tag names the exception's class, as the observation's does.
	 * @param statusCode the status code, or {@code UNKNOWN} when the attempt never got one
	 * @param error the exception
	 * @param nanos the duration
	 */
	void recordError(String statusCode, Throwable error, long nanos) {
		timer(statusCode, error.getClass().getSimpleName()).record(nanos, TimeUnit.NANOSECONDS);
	}

	private Timer timer(String statusCode, String error) {
		return Timer.builder(NAME).tags(this.tags).tag("grpc.status_code", statusCode).tag("error", error)
			.register(this.registry);
	}

	long monotonicTime() {
		return this.registry.config().clock().monotonicTime();
	}

}
