package io.github.rpcclient.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.github.rpcclient.properties.BulkheadProperties;
import io.github.rpcclient.properties.ProxyProperties;
import io.github.rpcclient.properties.ChannelProperties;
import io.github.rpcclient.properties.CircuitBreakerProperties;
import io.github.rpcclient.properties.GrpcClientsProperties;
import io.github.rpcclient.properties.HedgingProperties;
import io.github.rpcclient.properties.MethodProperties;
import io.github.rpcclient.properties.PodProperties;
import io.github.rpcclient.properties.RateLimiterProperties;
import io.github.rpcclient.properties.RetryProperties;
import io.github.rpcclient.properties.ServiceProperties;
import io.github.rpcclient.properties.ServicePropertiesBinder;
import io.github.rpcclient.properties.TlsProperties;
import io.grpc.LoadBalancerRegistry;
import io.grpc.Status;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.lang.Nullable;

/**
 * Resolves bound service properties into immutable {@link ServiceSettings}, checking every value
 * as it is read: an invalid service is never built, and every violation is reported at once with
 * its property path ({@link InvalidServiceConfigurationException}).
 */
public class ServiceSettingsFactory {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

	private static final Pattern METHOD = Pattern.compile("[A-Za-z0-9_.]+/[A-Za-z0-9_]+");

	private final ServicePropertiesBinder binder;

	@Nullable
	private final SslBundles sslBundles;

	private final boolean discovery;

	/**
	 * Creates the factory.
	 * @param binder binds services over {@code grpc-clients.defaults}
	 * @param sslBundles the SSL bundles 'tls.ssl-bundle' may name, or {@code null} if there are none
	 * @param discovery whether {@code discovery:///service-id} addresses can be resolved (the
	 * application has Spring Cloud's {@code DiscoveryClient}); if not, they are reported as invalid
	 */
	public ServiceSettingsFactory(ServicePropertiesBinder binder, @Nullable SslBundles sslBundles, boolean discovery) {
		this.binder = binder;
		this.sslBundles = sslBundles;
		this.discovery = discovery;
	}

	/**
	 * Resolves the configured services. {@code grpc-clients.defaults} is checked on its own first,
	 * so that an invalid default is reported where it is set rather than at every service.
	 * @param properties the bound {@code grpc-clients} properties
	 * @return the services, in configuration order
	 * @throws InvalidServiceConfigurationException listing every violation found
	 */
	public List<ServiceSettings> configuredServices(GrpcClientsProperties properties) {
		SettingsChecker defaults = new SettingsChecker(ServicePropertiesBinder.DEFAULTS + ".");
		resolve(properties.getDefaults(), "defaults", null, List.of(), false, List.of(), defaults);
		defaults.throwIfAny();
		List<ServiceProperties> services = this.binder.bindConfiguredServices(properties.getServices().size());
		List<ServiceSettings> resolved = new ArrayList<>(services.size());
		List<ConfigurationViolation> violations = new ArrayList<>();
		Map<String, Integer> seen = new HashMap<>();
		for (int i = 0; i < services.size(); i++) {
			String path = ServicePropertiesBinder.SERVICES + "[" + i + "]";
			SettingsChecker check = new SettingsChecker(path + ".");
			resolved.add(resolve(services.get(i), check));
			violations.addAll(check.violations());
			String name = services.get(i).getName();
			Integer first = (name != null) ? seen.putIfAbsent(name, i) : null;
			if (first != null) {
				violations.add(new ConfigurationViolation(path + ".name", name, "is already the name of "
						+ ServicePropertiesBinder.SERVICES + "[" + first + "]", "give every service a unique name"));
			}
		}
		if (!violations.isEmpty()) {
			throw new InvalidServiceConfigurationException(violations);
		}
		return resolved;
	}

	/**
	 * Resolves a service registered at runtime with the configured defaults.
	 * @param name the service name
	 * @param address the service address
	 * @return the settings
	 * @throws InvalidServiceConfigurationException if the name or address is invalid
	 */
	public ServiceSettings newService(String name, String address) {
		return resolve(this.binder.newService(name, address));
	}

	/**
	 * Resolves one service, reporting violations below {@code service '<name>'}. Bind it with
	 * {@link ServicePropertiesBinder#newService} to inherit the configured defaults.
	 * @param service the service
	 * @return the settings
	 * @throws InvalidServiceConfigurationException listing every violation found
	 */
	public ServiceSettings resolve(ServiceProperties service) {
		SettingsChecker check = new SettingsChecker("service '" + service.getName() + "'.");
		ServiceSettings settings = resolve(service, check);
		check.throwIfAny();
		return settings;
	}

	private ServiceSettings resolve(ServiceProperties service, SettingsChecker check) {
		String name = service.getName();
		if (name == null || name.isBlank()) {
			check.add("name", name, "is missing", "give the service a name, such as 'name: book-service'");
		}
		else if (!NAME.matcher(name).matches()) {
			check.add("name", name, "contains characters other than letters, digits, '.', '_' and '-'",
					"use a name such as 'book-service'");
		}
		// a stateful service is reached through its pods; its own address is optional
		GrpcAddress address = (!service.isStateful() || service.getAddress() != null)
				? check.address("address", service.getAddress()) : null;
		if (address != null && address.kind() == GrpcAddress.Kind.DISCOVERY && !this.discovery) {
			check.add("address", address.text(),
					"is a discovery:/// address, but the application has no Spring Cloud DiscoveryClient to resolve it",
					"add org.springframework.cloud:spring-cloud-commons with a discovery client (Kubernetes, Consul, "
							+ "Eureka, Nacos, or spring.cloud.discovery.client.simple.instances), or use host:port or "
							+ "static://");
		}
		List<MethodSettings> methods = methods(service.getMethods(), check);
		List<PodSettings> pods = pods(service, check);
		return resolve(service, name, address, methods, service.isStateful(), pods, check);
	}

	private ServiceSettings resolve(ChannelProperties channel, String name, @Nullable GrpcAddress address,
			List<MethodSettings> methods, boolean stateful, List<PodSettings> pods, SettingsChecker check) {
		String policy = channel.getLoadBalancingPolicy();
		if (policy == null || LoadBalancerRegistry.getDefaultRegistry().getProvider(policy) == null) {
			check.add("load-balancing-policy", policy, "is not a load-balancing policy grpc-java knows",
					"use 'pick_first' or 'round_robin', or add the library that registers the policy");
		}
		checkBudget(channel.getRetry().getBudget(), check);
		return new ServiceSettings(name, address, check.nonNegative("timeout", channel.getTimeout()),
				channel.getConnect(), check.positive("connect-timeout", channel.getConnectTimeout()),
				check.positive("idle-timeout", channel.getIdleTimeout()),
				check.positive("max-inbound-message-size", channel.getMaxInboundMessageSize()),
				check.positive("max-inbound-metadata-size", channel.getMaxInboundMetadataSize()), policy,
				channel.getUserAgent(), channel.getCompression(),
				check.nonNegative("shutdown-grace-period", channel.getShutdownGracePeriod()),
				new KeepaliveSettings(check.nonNegative("keepalive.time", channel.getKeepalive().getTime()),
						check.positive("keepalive.timeout", channel.getKeepalive().getTimeout()),
						channel.getKeepalive().isWithoutCalls()),
				tls(channel.getTls(), check), retry(channel.getRetry(), "retry.", check),
				hedging(channel.getHedging(), "hedging.", check),
				new RetryBufferSettings(
						check.positive("retry-buffer.per-call-limit", channel.getRetryBuffer().getPerCallLimit()).toBytes(),
						check.positive("retry-buffer.per-service-limit", channel.getRetryBuffer().getPerServiceLimit())
							.toBytes()),
				circuitBreaker(channel.getCircuitBreaker(), check), methods, stateful, pods,
				bulkhead(channel.getBulkhead(), check), rateLimiter(channel.getRateLimiter(), check),
				proxy(channel.getProxy(), check));
	}

	private static ProxySettings proxy(ProxyProperties proxy, SettingsChecker check) {
		Duration backoff = check.positive("proxy.reconnect-backoff", proxy.getReconnectBackoff());
		Duration maxBackoff = check.positive("proxy.max-reconnect-backoff", proxy.getMaxReconnectBackoff());
		if (backoff != null && maxBackoff != null && backoff.compareTo(maxBackoff) > 0) {
			check.add("proxy.reconnect-backoff", backoff, "is longer than max-reconnect-backoff " + maxBackoff,
					"make reconnect-backoff no longer than max-reconnect-backoff");
		}
		return new ProxySettings(check.atLeastOne("proxy.max-pending-calls", proxy.getMaxPendingCalls()), backoff,
				maxBackoff);
	}

	private static BulkheadSettings bulkhead(BulkheadProperties bulkhead, SettingsChecker check) {
		return new BulkheadSettings(bulkhead.isEnabled(),
				check.atLeastOne("bulkhead.max-concurrent-calls", bulkhead.getMaxConcurrentCalls()));
	}

	private static RateLimiterSettings rateLimiter(RateLimiterProperties limiter, SettingsChecker check) {
		return new RateLimiterSettings(limiter.isEnabled(),
				check.atLeastOne("rate-limiter.limit-for-period", limiter.getLimitForPeriod()),
				check.positive("rate-limiter.limit-refresh-period", limiter.getLimitRefreshPeriod()));

	}

	private static RetrySettings retry(RetryProperties retry, String prefix, SettingsChecker check) {
		check.atLeastOne(prefix + "max-attempts", retry.getMaxAttempts());
		check.nonNegative(prefix + "backoff", retry.getBackoff());
		check.nonNegative(prefix + "max-backoff", retry.getMaxBackoff());
		if (retry.getBackoff() != null && retry.getMaxBackoff() != null
				&& retry.getBackoff().compareTo(retry.getMaxBackoff()) > 0) {
			check.add(prefix + "backoff", retry.getBackoff(), "is longer than max-backoff " + retry.getMaxBackoff(),
					"make backoff no longer than max-backoff");
		}
		if (retry.getMultiplier() < 1) {
			check.add(prefix + "multiplier", retry.getMultiplier(), "is below 1", "use 1 for a fixed backoff, or more");
		}
		if (retry.getJitter() < 0 || retry.getJitter() > 1) {
			check.add(prefix + "jitter", retry.getJitter(), "is not a fraction", "use a value from 0 to 1");
		}
		RetryProperties.Budget budget = retry.getBudget();
		return new RetrySettings(retry.isEnabled(), retry.getMaxAttempts(), retry.getBackoff(), retry.getMaxBackoff(),
				retry.getMultiplier(), retry.getJitter(), retry.getBackoffType(), codes(retry.getRetryableStatusCodes()),
				codes(retry.getIdempotentRetryableStatusCodes()),
				new RetrySettings.Budget(budget.isEnabled(), budget.getRatio(), budget.getWindow(),
						budget.getMinRetriesPerSecond()));
	}

	/**
	 * Checks the retry budget of a service (a method's {@code retry.budget} is not used). The
	 * bounds are Finagle's: a ratio up to 1000 and a window from 1s to 60s.
	 */
	private static void checkBudget(RetryProperties.Budget budget, SettingsChecker check) {
		String prefix = "retry.budget.";
		check.between(prefix + "ratio", budget.getRatio(), 0, 1000,
				"use retries per call from 0 to 1000, such as 0.2 for 20% more attempts");
		check.between(prefix + "window", budget.getWindow(), Duration.ofSeconds(1), Duration.ofSeconds(60));
		check.nonNegative(prefix + "min-retries-per-second", budget.getMinRetriesPerSecond());
	}

	private static HedgingSettings hedging(HedgingProperties hedging, String prefix, SettingsChecker check) {
		if (hedging.getMaxAttempts() < 2 || hedging.getMaxAttempts() > 5) {
			check.add(prefix + "max-attempts", hedging.getMaxAttempts(), "is not from 2 to 5",
					"use 2 for one backup attempt; grpc-java allows 5 at most");
		}
		return new HedgingSettings(hedging.isEnabled(), hedging.getMaxAttempts(),
				check.nonNegative(prefix + "delay", hedging.getDelay()), codes(hedging.getNonFatalStatusCodes()));
	}

	private static CircuitBreakerSettings circuitBreaker(CircuitBreakerProperties breaker, SettingsChecker check) {
		String prefix = "circuit-breaker.";
		return new CircuitBreakerSettings(breaker.isEnabled(),
				check.percentage(prefix + "failure-rate-threshold", breaker.getFailureRateThreshold()),
				check.atLeastOne(prefix + "sliding-window-size", breaker.getSlidingWindowSize()),
				check.atLeastOne(prefix + "minimum-number-of-calls", breaker.getMinimumNumberOfCalls()),
				check.positive(prefix + "wait-duration-in-open-state", breaker.getWaitDurationInOpenState()),
				check.atLeastOne(prefix + "permitted-number-of-calls-in-half-open-state",
						breaker.getPermittedNumberOfCallsInHalfOpenState()),
				check.percentage(prefix + "slow-call-rate-threshold", breaker.getSlowCallRateThreshold()),
				check.positive(prefix + "slow-call-duration-threshold", breaker.getSlowCallDurationThreshold()),
				codes(breaker.getRecordedStatusCodes()));
	}

	private TlsSettings tls(TlsProperties tls, SettingsChecker check) {
		if (tls.isEnabled() && tls.getSslBundle() != null) {
			if (tls.getTrustCert() != null || tls.getCertChain() != null || tls.getPrivateKey() != null) {
				check.add("tls.ssl-bundle", tls.getSslBundle(), "is set together with PEM files",
						"use either an SSL bundle or trust-cert/cert-chain/private-key, not both");
			}
			if (!bundleExists(tls.getSslBundle())) {
				check.add("tls.ssl-bundle", tls.getSslBundle(), "is not a configured SSL bundle",
						"define it under spring.ssl.bundle.pem." + tls.getSslBundle() + " (or .jks), or fix the name");
			}
		}
		else if (tls.isEnabled()) {
			check.readable("tls.trust-cert", tls.getTrustCert());
			check.readable("tls.cert-chain", tls.getCertChain());
			check.readable("tls.private-key", tls.getPrivateKey());
			if ((tls.getCertChain() == null) != (tls.getPrivateKey() == null)) {
				check.add((tls.getCertChain() == null) ? "tls.cert-chain" : "tls.private-key", null,
						"is missing: mutual TLS needs both a certificate chain and a private key",
						"set both tls.cert-chain and tls.private-key, or neither");
			}
		}
		String authority = tls.getAuthorityOverride();
		if (authority != null && !validAuthority(authority)) {
			check.add("tls.authority-override", authority, authority.isBlank() ? "is empty" : "is not a host name",
					"set the host name the server's certificate names (such as 'api.example.com'), or remove the key");
		}
		return new TlsSettings(tls.isEnabled(), tls.getSslBundle(), tls.getTrustCert(), tls.getCertChain(),
				tls.getPrivateKey(), authority);
	}

	private static boolean validAuthority(String authority) {
		if (authority.isBlank() || !authority.equals(authority.trim())) {
			return false;
		}
		try {
			java.net.URI uri = new java.net.URI(null, authority, null, null, null);
			return uri.getHost() != null || uri.getAuthority() != null;
		}
		catch (java.net.URISyntaxException ex) {
			return false;
		}
	}

	private boolean bundleExists(String name) {
		if (this.sslBundles == null) {
			return false;
		}
		try {
			this.sslBundles.getBundle(name);
			return true;
		}
		catch (NoSuchSslBundleException ex) {
			return false;
		}
	}

	private static List<MethodSettings> methods(List<MethodProperties> methods, SettingsChecker check) {
		List<MethodSettings> resolved = new ArrayList<>(methods.size());
		List<String> names = new ArrayList<>();
		for (int i = 0; i < methods.size(); i++) {
			MethodProperties method = methods.get(i);
			String prefix = "methods[" + i + "].";
			if (method.getName() == null || !METHOD.matcher(method.getName()).matches()) {
				check.add(prefix + "name", method.getName(), "is not a full method name",
						"use 'package.Service/Method' as in the proto file, such as 'bookstore.BookService/GetBook'");
			}
			else if (names.contains(method.getName())) {
				check.add(prefix + "name", method.getName(), "is listed twice", "merge the two entries");
			}
			names.add(method.getName());
			RetrySettings retry = (method.getRetry() != null) ? retry(method.getRetry(), prefix + "retry.", check) : null;
			HedgingSettings hedging = (method.getHedging() != null)
					? hedging(method.getHedging(), prefix + "hedging.", check) : null;
			if (retry != null && retry.enabled() && hedging != null && hedging.enabled()) {
				check.add(prefix + "hedging.enabled", true, "is set for a method that also has its own retry: a method is either retried or hedged",
						"remove " + prefix + "retry or set its enabled to false");
			}
			resolved.add(new MethodSettings(method.getName(), check.nonNegative(prefix + "timeout", method.getTimeout()),
					retry, hedging));
		}
		return resolved;
	}

	private static List<PodSettings> pods(ServiceProperties service, SettingsChecker check) {
		if (!service.isStateful() && !service.getPods().isEmpty()) {
			check.add("pods", service.getPods().size() + " pods", "are listed for a service that is not stateful",
					"set 'stateful: true' or remove 'pods'");
		}
		List<PodSettings> pods = new ArrayList<>();
		List<Integer> indexes = new ArrayList<>();
		for (int i = 0; i < service.getPods().size(); i++) {
			PodProperties pod = service.getPods().get(i);
			String prefix = "pods[" + i + "].";
			if (pod.getIndex() < 1) {
				check.add(prefix + "index", pod.getIndex(), "is below 1", "number pods from 1");
			}
			else if (indexes.contains(pod.getIndex())) {
				check.add(prefix + "index", pod.getIndex(), "is used by another pod", "give every pod a unique index");
			}
			indexes.add(pod.getIndex());
			GrpcAddress address = check.address(prefix + "address", pod.getAddress());
			if (address != null && address.kind() == GrpcAddress.Kind.DISCOVERY) {
				check.add(prefix + "address", address.text(), "is a discovery:/// address, but a pod is one backend",
						"give the pod its own address, or set the service's 'address' to the discovery:/// address "
								+ "and drop 'pods' (pods are then taken from the instances' pod-index metadata)");
			}
			else if (address != null) {
				pods.add(new PodSettings(pod.getIndex(), address));
			}
		}
		return pods;
	}

	private static Set<Status.Code> codes(@Nullable Set<Status.Code> codes) {
		return (codes != null) ? codes : Set.of();
	}

}
