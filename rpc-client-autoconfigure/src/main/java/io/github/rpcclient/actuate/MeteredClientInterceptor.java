package io.github.rpcclient.actuate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import org.springframework.lang.Nullable;

/**
 * Measures every attempt of one service's calls with the meters Micrometer's observation of gRPC
 * calls records (see {@link MethodMeters}), at a fraction of its cost: the meters are resolved
 * once per method, authority and status and reused, so a call builds no tags, allocates no
 * observation context and takes no lock. Used when nothing but metrics would see the observation
 * (no tracing, no other observation handler); otherwise the full observation runs.
 */
public class MeteredClientInterceptor implements ClientInterceptor {

	private final MeterRegistry registry;

	private final Tags serviceTags;

	private final boolean longTaskTimer;

	/** By authority, then by full method name: bounded even for descriptors built per call. */
	private final Map<String, Map<String, MethodMeters>> meters = new ConcurrentHashMap<>();

	/**
	 * Creates the interceptor of one service.
	 * @param registry where the meters are registered
	 * @param serviceTags the tags every meter of the service carries: the configured service name
	 * as {@value ServiceNameObservationConvention#KEY} and the application's common key values
	 * @param longTaskTimer whether calls in progress are measured by {@code grpc.client.active}
	 */
	public MeteredClientInterceptor(MeterRegistry registry, Tags serviceTags, boolean longTaskTimer) {
		this.registry = registry;
		this.serviceTags = serviceTags;
		this.longTaskTimer = longTaskTimer;
	}

	@Override
	public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
			CallOptions callOptions, Channel next) {
		return new MeteredCall<>(next.newCall(method, callOptions), metersOf(next.authority(), method));
	}

	private MethodMeters metersOf(String authority, MethodDescriptor<?, ?> method) {
		Map<String, MethodMeters> ofAuthority = this.meters.get(authority);
		if (ofAuthority == null) {
			ofAuthority = this.meters.computeIfAbsent(authority, (key) -> new ConcurrentHashMap<>());
		}
		MethodMeters methodMeters = ofAuthority.get(method.getFullMethodName());
		if (methodMeters == null) {
			methodMeters = ofAuthority.computeIfAbsent(method.getFullMethodName(),
					(key) -> new MethodMeters(this.registry, this.serviceTags, authority, method, this.longTaskTimer));
		}
		return methodMeters;
	}

	/** One attempt: measured from {@code start} to its status, exactly once. */
	private static final class MeteredCall<ReqT, RespT> extends SimpleForwardingClientCall<ReqT, RespT> {

		private static final AtomicIntegerFieldUpdater<MeteredCall<?, ?>> ENDED = AtomicIntegerFieldUpdater
			.newUpdater(castClass(), "ended");

		private final MethodMeters meters;

		private long startNanos;

		@Nullable
		private LongTaskTimer.Sample active;

		private volatile int ended;

		MeteredCall(ClientCall<ReqT, RespT> delegate, MethodMeters meters) {
			super(delegate);
			this.meters = meters;
		}

		@SuppressWarnings({ "unchecked", "rawtypes" })
		private static Class<MeteredCall<?, ?>> castClass() {
			return (Class) MeteredCall.class;
		}

		@Override
		public void start(Listener<RespT> responseListener, Metadata headers) {
			this.startNanos = this.meters.monotonicTime();
			this.active = this.meters.start();
			try {
				super.start(new SimpleForwardingClientCallListener<>(responseListener) {

					@Override
					public void onMessage(RespT message) {
						MeteredCall.this.meters.received();
						super.onMessage(message);
					}

					@Override
					public void onClose(Status status, Metadata trailers) {
						if (end()) {
							MeteredCall.this.meters.record(status, elapsed());
						}
						super.onClose(status, trailers);
					}

				}, headers);
			}
			catch (RuntimeException | Error ex) {
				if (end()) {
					this.meters.recordError("UNKNOWN", ex, elapsed());
				}
				throw ex;
			}
		}

		@Override
		public void sendMessage(ReqT message) {
			this.meters.sent();
			super.sendMessage(message);
		}

		private boolean end() {
			if (!ENDED.compareAndSet(this, 0, 1)) {
				return false;
			}
			if (this.active != null) {
				this.active.stop();
			}
			return true;
		}

		private long elapsed() {
			return this.meters.monotonicTime() - this.startNanos;
		}

	}

}
