package io.github.rpcclient.properties;

/**
 * Logging of calls: method, target, duration and status, never payloads. Successful calls are
 * logged at DEBUG and failed ones at WARN, by the logger {@code io.github.rpcclient.calls}.
 */
public class CallLoggingProperties {

	/**
	 * Whether calls are logged.
	 */
	private boolean enabled = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
