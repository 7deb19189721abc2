package io.github.rpcclient.actuate;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.github.rpcclient.channel.CallObserver;
import io.github.rpcclient.channel.ObservedCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times each logical call of a service, from start to the status its caller sees, above retry
 * (so {@value #NAME} counts calls while Micrometer's per-attempt {@code grpc.client} counts
 * attempts). Tagged {@code grpc.client.name} (the configured service), {@code rpc.service},
 * {@code rpc.method} and {@code grpc.status_code}: bounded by the service's methods times the 17
 * status codes. Each method's timers are resolved once per status code and reused: the call path
 * does one map lookup and one array read, builds no tags and takes no lock.
 */
public class CallTimerInterceptor implements CallObserver {

	/** The timer's name. */
	public static final String NAME = "grpc.client.calls";

	private static final Status.Code[] CODES = Status.Code.values();

	private final MeterRegistry registry;

	private final String serviceName;

	private final ConcurrentMap<String, MethodTimers> methods = new ConcurrentHashMap<>();

	/**
	 * Creates the interceptor of a service.
	 * @param registry where the timers are registered
	 * @param serviceName the configured service name
	 */
	public CallTimerInterceptor(MeterRegistry registry, String serviceName) {
		this.registry = registry;
		this.serviceName = serviceName;
	}

	@Override
	public Status onClose(ObservedCall<?, ?> call, Status status) {
		long nanos = System.nanoTime() - call.startNanos();
		MethodDescriptor<?, ?> method = call.method();
		MethodTimers timers = this.methods.get(method.getFullMethodName());
		if (timers == null) {
			timers = this.methods.computeIfAbsent(method.getFullMethodName(), (name) -> new MethodTimers(method));
		}
		timers.record(status.getCode(), nanos);
		return status;
	}

	private final class MethodTimers {

		private final String service;

		private final String method;

		private final AtomicReferenceArray<Timer> byCode = new AtomicReferenceArray<>(CODES.length);

		MethodTimers(MethodDescriptor<?, ?> descriptor) {
			this.service = String.valueOf(descriptor.getServiceName());
			this.method = String.valueOf(descriptor.getBareMethodName());
		}

		void record(Status.Code code, long nanos) {
			Timer timer = this.byCode.get(code.ordinal());
			if (timer == null) {
				timer = Timer.builder(NAME)
					.description("Logical gRPC client calls, retries included, by final status")
					.tag("grpc.client.name", CallTimerInterceptor.this.serviceName)
					.tag("rpc.service", this.service)
					.tag("rpc.method", this.method)
					.tag("grpc.status_code", code.name())
					.register(CallTimerInterceptor.this.registry);
				this.byCode.set(code.ordinal(), timer);
			}
			timer.record(nanos, TimeUnit.NANOSECONDS);
		}

	}

}
