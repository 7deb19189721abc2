package io.github.rpcclient.settings;

import java.time.Duration;

/**
 * How {@code RpcProxy} streams to the pods of a stateful service.
 *
 * @param maxPendingCalls most calls pending on one pod's stream; more fail with RESOURCE_EXHAUSTED
 * @param reconnectBackoff wait before reopening a stream that broke
 * @param maxReconnectBackoff longest such wait
 */
public record ProxySettings(int maxPendingCalls, Duration reconnectBackoff, Duration maxReconnectBackoff) {

}
