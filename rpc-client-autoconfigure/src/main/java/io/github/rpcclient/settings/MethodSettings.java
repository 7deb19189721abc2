package io.github.rpcclient.settings;

import java.time.Duration;

import org.springframework.lang.Nullable;

/**
 * Overrides for one method of a service.
 *
 * @param name full method name, {@code package.Service/Method}
 * @param timeout deadline of the method's calls that carry none (any call type; zero for none), or
 * {@code null} to take the service's
 * @param retry the method's retry, layered on the service's and the defaults' retry, or
 * {@code null} to use the service's
 * @param hedging the method's hedging, layered on the service's and the defaults' hedging, or
 * {@code null} to use the service's (which applies to idempotent methods only)
 */
public record MethodSettings(String name, @Nullable Duration timeout, @Nullable RetrySettings retry,
		@Nullable HedgingSettings hedging) {
}
