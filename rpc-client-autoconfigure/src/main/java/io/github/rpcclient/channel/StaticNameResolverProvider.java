package io.github.rpcclient.channel;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.settings.GrpcAddress;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;

/**
 * Resolves {@code static:///host1:port1,host2:port2} targets to a fixed list of addresses, one
 * address group each, so that {@code round_robin} spreads calls across them. Registered with
 * grpc-java through {@code META-INF/services/io.grpc.NameResolverProvider}, so it serves every
 * channel of the JVM: it also takes the {@code static://host:port} form that grpc-spring and plain
 * grpc-java users write (grpc-spring's own provider has a lower priority).
 */
public final class StaticNameResolverProvider extends NameResolverProvider {

	/** The target scheme this provider serves. */
	public static final String SCHEME = GrpcAddress.STATIC_SCHEME;

	@Override
	public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
		if (!SCHEME.equals(targetUri.getScheme())) {
			return null;
		}
		String path = (targetUri.getPath() != null) ? targetUri.getPath() : "";
		// static://host:port (another library's channel: grpc-spring, plain grpc-java) or static:///list
		String list = (path.isEmpty() && targetUri.getAuthority() != null) ? targetUri.getAuthority()
				: (path.startsWith("/") ? path.substring(1) : path);
		return new StaticNameResolver(GrpcAddress.parseStaticList(list));
	}

	@Override
	public String getDefaultScheme() {
		return SCHEME;
	}

	@Override
	protected boolean isAvailable() {
		return true;
	}

	@Override
	protected int priority() {
		return 5;
	}

	private static final class StaticNameResolver extends NameResolver {

		private final String authority;

		private final List<GrpcAddress.HostAndPort> hosts;

		private Listener2 listener;

		StaticNameResolver(List<GrpcAddress.HostAndPort> hosts) {
			this.authority = hosts.get(0).host();
			this.hosts = hosts;
		}

		@Override
		public String getServiceAuthority() {
			return this.authority;
		}

		@Override
		public void start(Listener2 listener) {
			this.listener = listener;
			resolve();
		}

		@Override
		public void refresh() {
			resolve();
		}

		private void resolve() {
			List<EquivalentAddressGroup> groups = new ArrayList<>(this.hosts.size());
			for (GrpcAddress.HostAndPort host : this.hosts) {
				InetSocketAddress address = new InetSocketAddress(host.host(), host.port());
				if (address.isUnresolved()) {
					this.listener.onError(Status.UNAVAILABLE.withDescription("Cannot resolve host '" + host.host() + "'"));
					return;
				}
				groups.add(new EquivalentAddressGroup(address));
			}
			this.listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
		}

		@Override
		public void shutdown() {
		}

	}

}
