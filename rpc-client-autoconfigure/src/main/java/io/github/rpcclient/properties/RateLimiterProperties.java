package io.github.rpcclient.properties;

import java.time.Duration;

/**
 * Rate limiter of a service: a cap on the calls it starts per period. A call over the cap fails at
 * once with RESOURCE_EXHAUSTED, without being sent or waiting for the next period.
 */
public class RateLimiterProperties {

	/**
	 * Whether the calls of the service pass a rate limiter.
	 */
	private boolean enabled = false;

	/**
	 * Calls the service may start in each period (retries of a call are not counted again).
	 */
	private int limitForPeriod = 100;

	/**
	 * Length of a period; the limit is renewed at the start of each.
	 */
	private Duration limitRefreshPeriod = Duration.ofSeconds(1);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getLimitForPeriod() {
		return this.limitForPeriod;
	}

	public void setLimitForPeriod(int limitForPeriod) {
		this.limitForPeriod = limitForPeriod;
	}

	public Duration getLimitRefreshPeriod() {
		return this.limitRefreshPeriod;
	}

	public void setLimitRefreshPeriod(Duration limitRefreshPeriod) {
		this.limitRefreshPeriod = limitRefreshPeriod;
	}

}
