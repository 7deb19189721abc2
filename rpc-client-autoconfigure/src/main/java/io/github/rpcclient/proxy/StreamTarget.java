package io.github.rpcclient.proxy;

import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;
import io.github.rpcclient.proxy.wire.RouterServiceGrpc;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.RouteStoreUnavailableException;
import io.github.rpcclient.route.StatefulRouteDriver;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.settings.ProxySettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;

/**
 * Stateful calls: each goes to its user's pod (from the {@link StatefulRouteDriver}, the same pod
 * stubs reach) over that pod's one {@link PodStream}, opened on first use through the service's
 * channel and chain with the pod chosen ({@link StatefulRouting#POD}).
 * <p>
 * A stream that broke is reopened by the next call after a backoff ({@code proxy.reconnect-backoff},
 * doubled for each stream that broke without an answer, up to {@code proxy.max-reconnect-backoff});
 * calls in the backoff fail at once with UNAVAILABLE. Once a second the streams of pods the
 * registry no longer counts as available are retired: they close when their pending calls have
 * finished, and their users relink on their next call. A call that fails with UNAVAILABLE on a pod
 * then found unavailable drops the user's cached link, as for stubs.
 */
final class StreamTarget implements CallTarget, PodStream.Owner {

	private final Channel channel;

	private final String service;

	private final ProxySettings settings;

	private final StatefulRouteDriver driver;

	private final PodRegistry registry;

	private final String namespace;

	private final ScheduledExecutorService timer;

	private final Map<Integer, PodStream> streams = new ConcurrentHashMap<>();

	private final Map<Integer, Backoff> backoffs = new ConcurrentHashMap<>();

	/** Every stream not ended yet, retired ones included. */
	private final Set<PodStream> live = ConcurrentHashMap.newKeySet();

	private final ScheduledFuture<?> sweep;

	private volatile RpcProxyException closedWith;

	StreamTarget(Channel channel, String service, ProxySettings settings, StatefulRouteDriver driver,
			PodRegistry registry, ScheduledExecutorService timer) {
		this.channel = channel;
		this.service = service;
		this.settings = settings;
		this.driver = driver;
		this.registry = registry;
		this.namespace = driver.localNamespace();
		this.timer = timer;
		this.sweep = timer.scheduleWithFixedDelay(this::retireUnavailablePods, 1, 1, TimeUnit.SECONDS);
	}

	@Override
	public CompletableFuture<CallResponse> send(CallRequest request, long timeoutNanos) {
		String context = "Call '" + request.getMsgId() + "' (request " + request.getRequestId() + ") of user '"
				+ request.getUserId() + "' to '" + this.service + "'";
		int pod;
		try {
			OptionalInt linked = this.driver.computeLinkedPod(this.namespace, request.getUserId(), this.service);
			if (linked.isEmpty()) {
				return failed(Status.UNAVAILABLE.withDescription("no pod can take the user"), context);
			}
			pod = linked.getAsInt();
		}
		catch (RouteStoreUnavailableException ex) {
			return failed(Status.UNAVAILABLE.withDescription(ex.getMessage()).withCause(ex), context);
		}
		catch (IllegalArgumentException ex) {
			return failed(Status.INVALID_ARGUMENT.withDescription(ex.getMessage()).withCause(ex), context);
		}
		for (int attempt = 0; attempt < 3; attempt++) {
			PodStream stream;
			try {
				stream = stream(pod, context);
			}
			catch (RpcProxyException ex) {
				return CompletableFuture.failedFuture(ex);
			}
			CompletableFuture<CallResponse> response = stream.send(request, timeoutNanos);
			if (response != null) {
				String uid = request.getUserId();
				response.whenComplete((value, failure) -> {
					if (failure instanceof RpcProxyException proxy && proxy.statusCode() == Status.Code.UNAVAILABLE) {
						podUnavailable(uid, pod);
					}
				});
				return response;
			}
		}
		return failed(Status.UNAVAILABLE.withDescription("the stream to pod " + pod + " kept ending"), context);
	}

	private PodStream stream(int pod, String context) {
		PodStream current = this.streams.get(pod);
		if (current != null && current.isUsable()) {
			return current;
		}
		Backoff backoff = this.backoffs.get(pod);
		long wait = (backoff != null) ? backoff.notBefore - System.nanoTime() : 0;
		if (wait > 0) {
			throw RpcProxyException.callFailed(Status.UNAVAILABLE.withDescription("the stream to pod " + pod
					+ " broke (" + backoff.cause + "); it is reopened in " + TimeUnit.NANOSECONDS.toMillis(wait) + "ms"),
					context);
		}
		PodStream stream = this.streams.compute(pod, (index, existing) -> {
			if (existing != null && existing.isUsable()) {
				return existing;
			}
			RpcProxyException closed = this.closedWith;
			if (closed != null) {
				throw closed;
			}
			PodStream created = new PodStream(index, this.service,
					this.channel.newCall(RouterServiceGrpc.getStreamCallMethod(),
							CallOptions.DEFAULT.withOption(StatefulRouting.POD, index)),
					this.timer, this.settings.maxPendingCalls(), this);
			created.start();
			this.live.add(created);
			return created;
		});
		RpcProxyException closed = this.closedWith;
		if (closed != null) {
			stream.close(closed);
			throw closed;
		}
		return stream;
	}

	@Override
	public void streamEnded(PodStream stream, Status status, boolean answered) {
		this.streams.remove(stream.pod(), stream);
		this.live.remove(stream);
		if (status.getCode() == Status.Code.CANCELLED || this.closedWith != null) {
			return;
		}
		this.backoffs.compute(stream.pod(), (pod, previous) -> {
			int failures = (answered || previous == null) ? 1 : previous.failures + 1;
			long base = this.settings.reconnectBackoff().toNanos();
			long max = this.settings.maxReconnectBackoff().toNanos();
			long delay = Math.min(max, base << Math.min(failures - 1, 20));
			return new Backoff(failures, System.nanoTime() + delay, status.getCode().toString());
		});
	}

	private void podUnavailable(String uid, int pod) {
		try {
			if (!this.registry.isAvailable(this.namespace, this.service, pod)) {
				this.driver.cacheExpired(this.namespace, uid, this.service);
			}
		}
		catch (RuntimeException ex) {
			// the registry cannot be read: keep the link
		}
	}

	private void retireUnavailablePods() {
		for (PodStream stream : this.streams.values()) {
			boolean available;
			try {
				available = this.registry.isAvailable(this.namespace, this.service, stream.pod());
			}
			catch (RuntimeException ex) {
				available = true;
			}
			if (!available && this.streams.remove(stream.pod(), stream)) {
				stream.retire();
			}
		}
	}

	@Override
	public void close(RpcProxyException reason) {
		this.closedWith = reason;
		this.sweep.cancel(false);
		for (PodStream stream : this.live) {
			this.streams.remove(stream.pod(), stream);
			stream.close(reason);
		}
	}

	@Override
	public int openStreams() {
		return this.live.size();
	}

	private static CompletableFuture<CallResponse> failed(Status status, String context) {
		return CompletableFuture.failedFuture(RpcProxyException.callFailed(status, context));
	}

	private record Backoff(int failures, long notBefore, String cause) {
	}

}
