package io.github.rpcclient.settings;

import java.time.Duration;

/**
 * The rate limiter of a service: a cap on the calls it starts per period.
 *
 * @param enabled whether the calls of the service pass a rate limiter
 * @param limitForPeriod calls the service may start in each period
 * @param limitRefreshPeriod length of a period
 */
public record RateLimiterSettings(boolean enabled, int limitForPeriod, Duration limitRefreshPeriod) {

}
