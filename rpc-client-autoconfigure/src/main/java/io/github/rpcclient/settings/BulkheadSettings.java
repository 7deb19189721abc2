package io.github.rpcclient.settings;

/**
 * The bulkhead of a service: a cap on its calls in flight.
 *
 * @param enabled whether the calls of the service pass a bulkhead
 * @param maxConcurrentCalls most calls in flight at once, from start to final close
 */
public record BulkheadSettings(boolean enabled, int maxConcurrentCalls) {

}
