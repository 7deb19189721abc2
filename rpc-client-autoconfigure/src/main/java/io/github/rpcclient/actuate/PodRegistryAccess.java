package io.github.rpcclient.actuate;

import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.route.Pod;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.settings.RoutingSettings;

/**
 * {@link PodAccess} through the {@link PodRegistry} of stateful routing, in the local namespace.
 */
public class PodRegistryAccess implements PodAccess {

	private final PodRegistry registry;

	private final RoutingSettings settings;

	/**
	 * Creates the access.
	 * @param registry the pods of each service
	 * @param settings the routing settings (namespace, heartbeat TTL)
	 */
	public PodRegistryAccess(PodRegistry registry, RoutingSettings settings) {
		this.registry = registry;
		this.settings = settings;
	}

	@Override
	public List<PodDescriptor> pods(String service) {
		String namespace = this.settings.namespace();
		long now = this.registry.redisNow(namespace, service);
		long ttl = this.settings.heartbeatTtl().toMillis();
		List<PodDescriptor> pods = new ArrayList<>();
		for (Pod pod : this.registry.pods(namespace, service).values()) {
			Long age = (pod.heartbeatDeadline() == Long.MAX_VALUE) ? null
					: Math.max(0, now - (pod.heartbeatDeadline() - ttl));
			Boolean unverified = this.registry.isUnverified(namespace, service, pod.index()) ? Boolean.TRUE : null;
			pods.add(new PodDescriptor(pod.index(), pod.address(),
					this.registry.stateOf(namespace, service, pod.index()).name(), unverified, age, pod.load(),
					pod.links(), null));
		}
		return pods;
	}

	@Override
	public boolean drain(String service, int pod, boolean drain) {
		String namespace = this.settings.namespace();
		return drain ? this.registry.drain(namespace, service, pod) : this.registry.undrain(namespace, service, pod);
	}

}
