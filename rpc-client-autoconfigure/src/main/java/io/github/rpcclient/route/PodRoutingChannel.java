package io.github.rpcclient.route;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.rpcclient.channel.FailingClientCall;
import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * The transport of a stateful service: one {@link ManagedChannel} per pod, created lazily from the
 * pod registry's address and shut down when the pod leaves, and each call dispatched to the pod
 * named by its {@link StatefulRouting#POD} call option (set by the routing interceptor).
 * <p>
 * Why per-pod channels rather than a custom grpc {@code LoadBalancer}: a pod is a user's home,
 * not an interchangeable backend; a channel per pod keeps each pod's connection state, keepalive,
 * TLS and idle handling exactly as for any other service (built by {@link GrpcChannelFactory}),
 * makes "is this pod's channel shut down" a direct question, and needs no name resolver that
 * mirrors the registry. The price, one connection per pod per client, is what a pinned session
 * needs anyway.
 */
class PodRoutingChannel extends ManagedChannel {

	private final ServiceSettings service;

	private final String namespace;

	private final PodRegistry registry;

	private final GrpcChannelFactory channelFactory;

	private final Map<Integer, PodChannel> pods = new ConcurrentHashMap<>();

	private volatile boolean shutdown;

	PodRoutingChannel(ServiceSettings service, String namespace, PodRegistry registry,
			GrpcChannelFactory channelFactory) {
		this.service = service;
		this.namespace = namespace;
		this.registry = registry;
		this.channelFactory = channelFactory;
	}

	@Override
	public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method,
			CallOptions callOptions) {
		Integer pod = callOptions.getOption(StatefulRouting.POD);
		if (pod == null) {
			return new FailingClientCall<>(Status.FAILED_PRECONDITION
				.withDescription("No pod was chosen for a call to stateful service '" + this.service.name()
						+ "': name the user with stub.withOption(StatefulRouting.UID, uid) or StatefulRouting.runAs(uid, ...)"), callOptions.getExecutor());
		}
		if (this.shutdown) {
			return new FailingClientCall<>(
					Status.UNAVAILABLE.withDescription("Channel of '" + this.service.name() + "' is shut down"), callOptions.getExecutor());
		}
		ManagedChannel channel = channel(pod);
		if (channel == null) {
			return new FailingClientCall<>(Status.UNAVAILABLE.withDescription("Pod " + pod + " of stateful service '"
					+ this.service.name() + "' has no address in the pod registry"), callOptions.getExecutor());
		}
		return channel.newCall(method, callOptions);
	}

	/**
	 * @param index a pod index
	 * @return whether that pod's channel exists and is shut down
	 */
	boolean isShutdown(int index) {
		if (this.shutdown) {
			return true;
		}
		PodChannel pod = this.pods.get(index);
		return pod != null && pod.channel.isShutdown();
	}

	/** Shuts down the channel of a pod that left the registry. */
	void podRemoved(int index) {
		PodChannel pod = this.pods.remove(index);
		if (pod != null) {
			pod.channel.shutdown();
		}
	}

	private ManagedChannel channel(int index) {
		PodChannel current = this.pods.get(index);
		String address = addressOf(index);
		if (current != null && (address == null || address.equals(current.address))) {
			return current.channel;
		}
		if (address == null) {
			return null;
		}
		PodChannel created = this.pods.compute(index, (i, existing) -> {
			if (existing != null && existing.address.equals(address)) {
				return existing;
			}
			if (existing != null) {
				existing.channel.shutdown();
			}
			return new PodChannel(address, this.channelFactory.create(this.service, GrpcAddress.parse(address)));
		});
		if (this.shutdown) {
			created.channel.shutdownNow();
		}
		return created.channel;
	}

	private String addressOf(int index) {
		try {
			Pod pod = this.registry.pods(this.namespace, this.service.name()).get(index);
			return (pod != null) ? pod.address() : null;
		}
		catch (RouteStoreUnavailableException ex) {
			return null;
		}
	}

	@Override
	public String authority() {
		return this.service.name();
	}

	@Override
	public ManagedChannel shutdown() {
		this.shutdown = true;
		this.pods.values().forEach((pod) -> pod.channel.shutdown());
		return this;
	}

	@Override
	public ManagedChannel shutdownNow() {
		this.shutdown = true;
		this.pods.values().forEach((pod) -> pod.channel.shutdownNow());
		return this;
	}

	@Override
	public boolean isShutdown() {
		return this.shutdown;
	}

	@Override
	public boolean isTerminated() {
		return this.shutdown && this.pods.values().stream().allMatch((pod) -> pod.channel.isTerminated());
	}

	@Override
	public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
		long deadline = System.nanoTime() + unit.toNanos(timeout);
		for (PodChannel pod : this.pods.values()) {
			if (!pod.channel.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				return false;
			}
		}
		return isTerminated();
	}

	/**
	 * The best state of the pods' channels (READY if any pod is READY). Asked to connect, it
	 * connects to every pod that is not DOWN.
	 */
	@Override
	public ConnectivityState getState(boolean requestConnection) {
		if (this.shutdown) {
			return ConnectivityState.SHUTDOWN;
		}
		if (requestConnection) {
			try {
				this.registry.pods(this.namespace, this.service.name()).keySet().forEach((index) -> {
					if (this.registry.isAvailable(this.namespace, this.service.name(), index)) {
						ManagedChannel channel = channel(index);
						if (channel != null) {
							channel.getState(true);
						}
					}
				});
			}
			catch (RouteStoreUnavailableException ex) {
				// the pods cannot be read now: report the pods known
			}
		}
		ConnectivityState best = ConnectivityState.IDLE;
		for (PodChannel pod : this.pods.values()) {
			ConnectivityState state = pod.channel.getState(false);
			if (rank(state) > rank(best)) {
				best = state;
			}
		}
		return best;
	}

	private static int rank(ConnectivityState state) {
		return switch (state) {
			case READY -> 4;
			case CONNECTING -> 3;
			case IDLE -> 2;
			case TRANSIENT_FAILURE -> 1;
			case SHUTDOWN -> 0;
		};
	}

	@Override
	public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
		AtomicBoolean once = new AtomicBoolean();
		Runnable fireOnce = () -> {
			if (once.compareAndSet(false, true)) {
				callback.run();
			}
		};
		for (PodChannel pod : this.pods.values()) {
			pod.channel.notifyWhenStateChanged(pod.channel.getState(false), fireOnce);
		}
	}

	@Override
	public void resetConnectBackoff() {
		this.pods.values().forEach((pod) -> pod.channel.resetConnectBackoff());
	}

	@Override
	public void enterIdle() {
		this.pods.values().forEach((pod) -> pod.channel.enterIdle());
	}

	private record PodChannel(String address, ManagedChannel channel) {
	}

}
