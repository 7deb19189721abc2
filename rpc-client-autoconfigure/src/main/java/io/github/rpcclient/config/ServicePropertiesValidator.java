package io.github.rpcclient.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.github.rpcclient.channel.GrpcAddress;
import io.grpc.LoadBalancerRegistry;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.io.Resource;
import org.springframework.lang.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * Checks service definitions before any channel is built, collecting every violation with its
 * property path.
 */
public class ServicePropertiesValidator {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

	private static final Pattern METHOD = Pattern.compile("[A-Za-z0-9_.]+/[A-Za-z0-9_]+");

	@Nullable
	private final SslBundles sslBundles;

	/**
	 * Creates a validator.
	 * @param sslBundles the SSL bundles 'tls.ssl-bundle' may name, or {@code null} if there are none
	 */
	public ServicePropertiesValidator(@Nullable SslBundles sslBundles) {
		this.sslBundles = sslBundles;
	}

	/**
	 * Validates the configured services.
	 * @param services the services, in configuration order
	 * @param listPath the property path of the list, such as {@code grpc-clients.services}
	 * @throws InvalidServiceConfigurationException listing every violation found
	 */
	public void validate(List<ServiceProperties> services, String listPath) {
		List<ConfigurationViolation> violations = new ArrayList<>();
		Map<String, Integer> seen = new HashMap<>();
		for (int i = 0; i < services.size(); i++) {
			ServiceProperties service = services.get(i);
			String path = listPath + "[" + i + "]";
			violations.addAll(check(service, path));
			Integer first = (service.getName() != null) ? seen.putIfAbsent(service.getName(), i) : null;
			if (first != null) {
				violations.add(new ConfigurationViolation(path + ".name", service.getName(),
						"is already the name of " + listPath + "[" + first + "]",
						"give every service a unique name"));
			}
		}
		throwIfAny(violations);
	}

	/**
	 * Validates {@code grpc-clients.defaults} on its own, so that an invalid default is reported at
	 * the path where it is set rather than at every service that inherits it.
	 * @param defaults the defaults
	 * @param path the property path to report, such as {@code grpc-clients.defaults}
	 * @throws InvalidServiceConfigurationException listing every violation found
	 */
	public void validateDefaults(ChannelProperties defaults, String path) {
		Checker checker = new Checker(path);
		checkChannel(defaults, checker);
		throwIfAny(checker.violations);
	}

	/**
	 * Validates one service.
	 * @param service the service
	 * @param path the property path to report, such as {@code grpc-clients.services[2]}
	 * @throws InvalidServiceConfigurationException listing every violation found
	 */
	public void validate(ServiceProperties service, String path) {
		throwIfAny(check(service, path));
	}

	private static void throwIfAny(List<ConfigurationViolation> violations) {
		if (!violations.isEmpty()) {
			throw new InvalidServiceConfigurationException(violations);
		}
	}

	private List<ConfigurationViolation> check(ServiceProperties service, String path) {
		Checker checker = new Checker(path);
		String name = service.getName();
		if (name == null || name.isBlank()) {
			checker.add("name", name, "is missing", "give the service a name, such as 'name: book-service'");
		}
		else if (!NAME.matcher(name).matches()) {
			checker.add("name", name, "contains characters other than letters, digits, '.', '_' and '-'",
					"use a name such as 'book-service'");
		}
		if (!service.isStateful() || service.getAddress() != null) {
			// a stateful service is reached through its pods; its own address is optional
			checker.address("address", service.getAddress());
		}
		checkChannel(service, checker);
		List<String> methodNames = new ArrayList<>();
		for (int i = 0; i < service.getMethods().size(); i++) {
			MethodProperties method = service.getMethods().get(i);
			String prefix = "methods[" + i + "].";
			if (method.getName() == null || !METHOD.matcher(method.getName()).matches()) {
				checker.add(prefix + "name", method.getName(), "is not a full method name",
						"use 'package.Service/Method' as in the proto file, such as 'bookstore.BookService/GetBook'");
			}
			else if (methodNames.contains(method.getName())) {
				checker.add(prefix + "name", method.getName(), "is listed twice", "merge the two entries");
			}
			methodNames.add(method.getName());
			checker.nonNegative(prefix + "timeout", method.getTimeout());
			if (method.getRetry() != null) {
				checkRetry(method.getRetry(), prefix + "retry.", checker);
			}
		}
		checkPods(service, checker);
		return checker.violations;
	}

	private void checkChannel(ChannelProperties channel, Checker checker) {
		checker.nonNegative("timeout", channel.getTimeout());
		checker.positive("connect-timeout", channel.getConnectTimeout());
		checker.positive("idle-timeout", channel.getIdleTimeout());
		checker.nonNegative("shutdown-grace-period", channel.getShutdownGracePeriod());
		checker.nonNegative("keepalive.time", channel.getKeepalive().getTime());
		checker.positive("keepalive.timeout", channel.getKeepalive().getTimeout());
		checker.positive("max-inbound-message-size", channel.getMaxInboundMessageSize());
		checker.positive("max-inbound-metadata-size", channel.getMaxInboundMetadataSize());
		String policy = channel.getLoadBalancingPolicy();
		if (policy == null || LoadBalancerRegistry.getDefaultRegistry().getProvider(policy) == null) {
			checker.add("load-balancing-policy", policy, "is not a load-balancing policy grpc-java knows",
					"use 'pick_first' or 'round_robin', or add the library that registers the policy");
		}
		checkTls(channel.getTls(), checker);
		checkRetry(channel.getRetry(), "retry.", checker);
		CircuitBreakerProperties breaker = channel.getCircuitBreaker();
		if (breaker.getFailureRateThreshold() <= 0 || breaker.getFailureRateThreshold() > 100) {
			checker.add("circuit-breaker.failure-rate-threshold", breaker.getFailureRateThreshold(),
					"is not a percentage", "use a value above 0 and up to 100");
		}
		checker.atLeastOne("circuit-breaker.sliding-window-size", breaker.getSlidingWindowSize());
		checker.atLeastOne("circuit-breaker.minimum-number-of-calls", breaker.getMinimumNumberOfCalls());
		checker.atLeastOne("circuit-breaker.permitted-number-of-calls-in-half-open-state",
				breaker.getPermittedNumberOfCallsInHalfOpenState());
		checker.positive("circuit-breaker.wait-duration-in-open-state", breaker.getWaitDurationInOpenState());
		if (breaker.getSlowCallRateThreshold() <= 0 || breaker.getSlowCallRateThreshold() > 100) {
			checker.add("circuit-breaker.slow-call-rate-threshold", breaker.getSlowCallRateThreshold(),
					"is not a percentage", "use a value above 0 and up to 100");
		}
		checker.positive("circuit-breaker.slow-call-duration-threshold", breaker.getSlowCallDurationThreshold());
		checker.atLeastOne("retry.budget.max-tokens", channel.getRetry().getBudget().getMaxTokens());
		if (channel.getRetry().getBudget().getTokenRatio() <= 0) {
			checker.add("retry.budget.token-ratio", channel.getRetry().getBudget().getTokenRatio(), "is not positive",
					"use a fraction such as 0.1");
		}
	}

	private void checkRetry(RetryProperties retry, String prefix, Checker checker) {
		checker.atLeastOne(prefix + "max-attempts", retry.getMaxAttempts());
		checker.nonNegative(prefix + "backoff", retry.getBackoff());
		checker.nonNegative(prefix + "max-backoff", retry.getMaxBackoff());
		if (retry.getBackoff() != null && retry.getMaxBackoff() != null
				&& retry.getBackoff().compareTo(retry.getMaxBackoff()) > 0) {
			checker.add(prefix + "backoff", retry.getBackoff(), "is longer than max-backoff " + retry.getMaxBackoff(),
					"make backoff no longer than max-backoff");
		}
		if (retry.getMultiplier() < 1) {
			checker.add(prefix + "multiplier", retry.getMultiplier(), "is below 1", "use 1 for a fixed backoff, or more");
		}
		if (retry.getJitter() < 0 || retry.getJitter() > 1) {
			checker.add(prefix + "jitter", retry.getJitter(), "is not a fraction", "use a value from 0 to 1");
		}
	}

	private void checkTls(TlsProperties tls, Checker checker) {
		if (!tls.isEnabled()) {
			return;
		}
		if (tls.getSslBundle() != null) {
			if (tls.getTrustCert() != null || tls.getCertChain() != null || tls.getPrivateKey() != null) {
				checker.add("tls.ssl-bundle", tls.getSslBundle(), "is set together with PEM files",
						"use either an SSL bundle or trust-cert/cert-chain/private-key, not both");
			}
			if (!bundleExists(tls.getSslBundle())) {
				checker.add("tls.ssl-bundle", tls.getSslBundle(), "is not a configured SSL bundle",
						"define it under spring.ssl.bundle.pem." + tls.getSslBundle() + " (or .jks), or fix the name");
			}
			return;
		}
		checker.readable("tls.trust-cert", tls.getTrustCert());
		checker.readable("tls.cert-chain", tls.getCertChain());
		checker.readable("tls.private-key", tls.getPrivateKey());
		if ((tls.getCertChain() == null) != (tls.getPrivateKey() == null)) {
			checker.add((tls.getCertChain() == null) ? "tls.cert-chain" : "tls.private-key", null,
					"is missing: mutual TLS needs both a certificate chain and a private key",
					"set both tls.cert-chain and tls.private-key, or neither");
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

	private void checkPods(ServiceProperties service, Checker checker) {
		if (!service.isStateful() && !service.getPods().isEmpty()) {
			checker.add("pods", service.getPods().size() + " pods", "are listed for a service that is not stateful",
					"set 'stateful: true' or remove 'pods'");
		}
		List<Integer> indexes = new ArrayList<>();
		for (int i = 0; i < service.getPods().size(); i++) {
			PodProperties pod = service.getPods().get(i);
			String prefix = "pods[" + i + "].";
			if (pod.getIndex() < 1) {
				checker.add(prefix + "index", pod.getIndex(), "is below 1", "number pods from 1");
			}
			else if (indexes.contains(pod.getIndex())) {
				checker.add(prefix + "index", pod.getIndex(), "is used by another pod", "give every pod a unique index");
			}
			indexes.add(pod.getIndex());
			checker.address(prefix + "address", pod.getAddress());
		}
	}

	/** Collects violations below one property path. */
	private static final class Checker {

		private final String path;

		private final List<ConfigurationViolation> violations = new ArrayList<>();

		Checker(String path) {
			this.path = path;
		}

		void add(String property, Object value, String problem, String fix) {
			this.violations.add(new ConfigurationViolation(this.path + "." + property, value, problem, fix));
		}

		void address(String property, String address) {
			try {
				GrpcAddress.parse(address);
			}
			catch (IllegalArgumentException ex) {
				add(property, address, "is not a valid address: it " + ex.getMessage(), "use " + GrpcAddress.FORMS);
			}
		}

		void nonNegative(String property, Duration value) {
			if (value != null && value.isNegative()) {
				add(property, value, "is negative", "use zero or a positive duration such as '5s'");
			}
		}

		void positive(String property, Duration value) {
			if (value == null || value.isNegative() || value.isZero()) {
				add(property, value, "is not a positive duration", "use a positive duration such as '5s'");
			}
		}

		void positive(String property, DataSize value) {
			if (value == null || value.toBytes() <= 0 || value.toBytes() > Integer.MAX_VALUE) {
				add(property, value, "is not a positive size below 2GB", "use a size such as '4MB'");
			}
		}

		void atLeastOne(String property, int value) {
			if (value < 1) {
				add(property, value, "is below 1", "use 1 or more");
			}
		}

		void readable(String property, Resource resource) {
			if (resource != null && !resource.isReadable()) {
				add(property, resource.getDescription(), "cannot be read",
						"point it at an existing PEM file, such as 'file:/etc/tls/ca.pem' or 'classpath:ca.pem'");
			}
		}

	}

}
