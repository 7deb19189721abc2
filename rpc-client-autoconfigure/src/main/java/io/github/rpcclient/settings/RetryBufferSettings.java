package io.github.rpcclient.settings;

/**
 * The request bytes a service's retried and hedged calls may keep for replay.
 *
 * @param perCallLimit bytes one call may keep
 * @param perServiceLimit bytes all the service's calls together may keep
 */
public record RetryBufferSettings(long perCallLimit, long perServiceLimit) {
}
