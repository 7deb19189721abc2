package io.github.rpcclient.settings;

/**
 * One statically configured pod of a stateful service.
 *
 * @param index the pod index, 1 or more, unique within the service
 * @param address where the pod is
 */
public record PodSettings(int index, GrpcAddress address) {
}
