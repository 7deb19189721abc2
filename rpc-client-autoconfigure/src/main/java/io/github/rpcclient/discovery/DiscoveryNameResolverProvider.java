package io.github.rpcclient.discovery;

import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import io.github.rpcclient.settings.GrpcAddress;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;

import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Serves {@code discovery:///service-id} targets from Spring Cloud's {@link DiscoveryClient}
 * (Kubernetes, Consul, Eureka, Nacos, or the simple client of
 * {@code spring.cloud.discovery.client.simple.instances}). Registered on each channel that uses
 * the scheme, not in grpc-java's global registry. Keeps its live resolvers, so that a
 * {@code HeartbeatEvent} or a failed call can ask them to re-read the client.
 */
public class DiscoveryNameResolverProvider extends NameResolverProvider {

	private final DiscoveryClient client;

	private final String clientDescription;

	private final Duration refreshInterval;

	private final Set<DiscoveryNameResolver> resolvers = ConcurrentHashMap.newKeySet();

	/**
	 * Creates the provider.
	 * @param client the application's discovery client
	 * @param refreshInterval how often each resolver re-reads the client without being asked
	 */
	public DiscoveryNameResolverProvider(DiscoveryClient client, Duration refreshInterval) {
		this.client = client;
		this.clientDescription = ServiceInstances.describe(client);
		this.refreshInterval = refreshInterval;
	}

	@Override
	public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
		if (!getDefaultScheme().equals(targetUri.getScheme())) {
			return null;
		}
		String serviceId = GrpcAddress.parse(targetUri.toString()).serviceId();
		// the channel's offload executor (grpc-java's shared cached pool unless the channel names
		// one); the common pool only for a channel that has none, which grpc-java's channels do not
		Executor executor = (args.getOffloadExecutor() != null) ? args.getOffloadExecutor() : ForkJoinPool.commonPool();
		return new DiscoveryNameResolver(serviceId, this.client, this.clientDescription, this.refreshInterval, args,
				executor, this.resolvers::add, this.resolvers::remove);
	}

	/**
	 * Asks every live resolver to re-read the discovery client (after a {@code HeartbeatEvent}).
	 */
	public void refreshAll() {
		this.resolvers.forEach(DiscoveryNameResolver::refreshFromOutside);
	}

	/**
	 * Asks the live resolvers of one service id to re-read the discovery client.
	 * @param serviceId the service id
	 */
	public void refresh(String serviceId) {
		this.resolvers.stream()
			.filter((resolver) -> resolver.serviceId().equals(serviceId))
			.forEach(DiscoveryNameResolver::refreshFromOutside);
	}

	/**
	 * @return the discovery client, as messages name it
	 */
	public String clientDescription() {
		return this.clientDescription;
	}

	@Override
	public String getDefaultScheme() {
		return GrpcAddress.DISCOVERY_SCHEME;
	}

	@Override
	protected boolean isAvailable() {
		return true;
	}

	@Override
	protected int priority() {
		return 5;
	}

}
