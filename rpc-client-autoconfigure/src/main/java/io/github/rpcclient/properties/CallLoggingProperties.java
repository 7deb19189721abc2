package io.github.rpcclient.properties;

import java.time.Duration;

/**
 * Logging of calls: method, target, duration and status, never payloads. Successful calls are
 * logged at DEBUG and failed ones at WARN (rate-limited, server messages escaped), by the logger
 * {@code io.github.rpcclient.calls}.
 */
public class CallLoggingProperties {

	/**
	 * Whether calls are logged.
	 */
	private boolean enabled = true;

	/**
	 * At most one WARN line per service and method in this interval; the next line says how many
	 * failures were not logged. Zero logs every failure.
	 */
	private Duration warnInterval = Duration.ofSeconds(1);

	public Duration getWarnInterval() {
		return this.warnInterval;
	}

	public void setWarnInterval(Duration warnInterval) {
		this.warnInterval = warnInterval;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
