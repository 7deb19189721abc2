package io.github.rpcclient.route;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.ServiceTransportProvider;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ManagedChannel;

/**
 * Gives each stateful service a {@link PodRoutingChannel}, registers its static pods with the
 * {@link PodRegistry}, and shuts a pod's channel down when the pod leaves the registry.
 */
public class StatefulTransportProvider implements ServiceTransportProvider, PodLifecycleListener {

	private final PodRegistry registry;

	private final GrpcChannelFactory channelFactory;

	private final String namespace;

	private final Map<String, PodRoutingChannel> channels = new ConcurrentHashMap<>();

	/**
	 * Creates the provider.
	 * @param registry the pods of each service
	 * @param channelFactory builds the channel of each pod
	 * @param namespace the local namespace
	 */
	public StatefulTransportProvider(PodRegistry registry, GrpcChannelFactory channelFactory, String namespace) {
		this.registry = registry;
		this.channelFactory = channelFactory;
		this.namespace = namespace;
		registry.useChannelStates(this::isShutdown);
	}

	@Override
	public ManagedChannel channelFor(ServiceSettings service) {
		if (!service.stateful()) {
			return null;
		}
		this.registry.addStaticPods(service.name(), service.pods());
		PodRoutingChannel channel = new PodRoutingChannel(service, this.namespace, this.registry, this.channelFactory);
		this.channels.put(service.name(), channel);
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
