package io.github.rpcclient.route;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.ServiceTransportProvider;
import io.github.rpcclient.config.ServiceProperties;
import io.grpc.ManagedChannel;

/**
 * Gives each stateful service a {@link PodRoutingChannel}, registers its static pods with the
 * {@link PodRegistry}, and shuts a pod's channel down when the pod leaves the registry.
 */
class StatefulTransportProvider implements ServiceTransportProvider, PodLifecycleListener {

	private final PodRegistry registry;

	private final GrpcChannelFactory channelFactory;

	private final String namespace;

	private final Map<String, PodRoutingChannel> channels = new ConcurrentHashMap<>();

	StatefulTransportProvider(PodRegistry registry, GrpcChannelFactory channelFactory, String namespace) {
		this.registry = registry;
		this.channelFactory = channelFactory;
		this.namespace = namespace;
		registry.useChannelStates(this::isShutdown);
	}

	@Override
	public ManagedChannel channelFor(ServiceProperties service) {
		if (!service.isStateful()) {
			return null;
		}
		this.registry.addStaticPods(service.getName(), service.getPods());
		PodRoutingChannel channel = new PodRoutingChannel(service, this.namespace, this.registry, this.channelFactory);
		this.channels.put(service.getName(), channel);
		return channel;
	}

	@Override
	public void podRemoved(String service, int index) {
		PodRoutingChannel channel = this.channels.get(service);
		if (channel != null) {
			channel.podRemoved(index);
		}
	}

	private boolean isShutdown(String service, int index) {
		PodRoutingChannel channel = this.channels.get(service);
		return channel != null && channel.isShutdown(index);
	}

}
