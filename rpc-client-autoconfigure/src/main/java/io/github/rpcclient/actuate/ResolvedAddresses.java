package io.github.rpcclient.actuate;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.rpcclient.settings.GrpcAddress;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.SynchronizationContext;

/**
 * Resolves a service's target now with the grpc-java name resolver its channel uses (the same
 * {@link NameResolverRegistry} provider: DNS, {@code static://}, or any registered scheme), for
 * the endpoint. Bounded by a timeout; the resolver is shut down afterwards.
 */
final class ResolvedAddresses {

	private ResolvedAddresses() {
	}

	/**
	 * @param address the service address
	 * @param timeout the longest wait
	 * @return the addresses ({@code host:port}), or one entry starting with {@code "unresolved: "}
	 * saying why there are none
	 */
	static List<String> of(GrpcAddress address, Duration timeout) {
		if (address.kind() == GrpcAddress.Kind.IN_PROCESS || address.kind() == GrpcAddress.Kind.UNIX) {
			return List.of(address.text());
		}
		CompletableFuture<List<String>> result = new CompletableFuture<>();
		NameResolver resolver;
		try {
			resolver = NameResolverRegistry.getDefaultRegistry()
				.asFactory()
				.newNameResolver(URI.create(address.target()), args());
		}
		catch (RuntimeException ex) {
			return List.of("unresolved: " + ex.getMessage());
		}
		if (resolver == null) {
			return List.of("unresolved: no name resolver for " + address.target());
		}
		try {
			resolver.start(new NameResolver.Listener2() {

				@Override
				public void onResult(NameResolver.ResolutionResult resolution) {
					List<String> addresses = new ArrayList<>();
					for (EquivalentAddressGroup group : resolution.getAddresses()) {
						group.getAddresses().forEach((socket) -> addresses.add(describe(socket)));
					}
					result.complete(addresses);
				}

				@Override
				public void onError(Status error) {
					result.complete(List.of("unresolved: " + error.getCode() + " " + error.getDescription()));
				}

			});
			return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return List.of("unresolved: interrupted");
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			return List.of("unresolved: not resolved within " + timeout.toMillis() + "ms");
		}
		finally {
			resolver.shutdown();
		}
	}

	private static NameResolver.Args args() {
		return NameResolver.Args.newBuilder()
			.setDefaultPort(443)
			.setProxyDetector((target) -> null)
			.setSynchronizationContext(new SynchronizationContext((thread, ex) -> {
			}))
			.setServiceConfigParser(new NameResolver.ServiceConfigParser() {

				@Override
				public NameResolver.ConfigOrError parseServiceConfig(java.util.Map<String, ?> rawServiceConfig) {
					return NameResolver.ConfigOrError.fromConfig(rawServiceConfig);
				}

			})
			.build();
	}

	private static String describe(SocketAddress socket) {
		if (socket instanceof InetSocketAddress inet) {
			String host = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
			return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
		}
		return socket.toString();
	}

}
