package io.github.rpcclient.channel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.properties.ChannelProperties.ConnectMode;
import io.github.rpcclient.settings.ConfigurationViolation;
import io.github.rpcclient.settings.GrpcClientStartupException;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;

/**
 * Connects channels as their service's {@code connect} mode says: {@code lazy} ones on their first
 * call, {@code eager} ones in the background, and {@code required} ones at once, failing start-up
 * unless they are READY within {@code connect-timeout}.
 */
final class ServiceConnector {

	private ServiceConnector() {
	}

	/**
	 * Starts connecting an eager or required channel; leaves a lazy one alone.
	 * @param channel the service's channel
	 */
	static void connectPerMode(ServiceChannel channel) {
		if (channel.settings().connect() != ConnectMode.LAZY) {
			channel.managedChannel().getState(true);
		}
	}

	/**
	 * Waits for a required channel to be READY.
	 * @param channel the service's channel
	 * @throws GrpcClientStartupException if it is required and not READY within its connect timeout
	 */
	static void awaitRequired(ServiceChannel channel) {
		ServiceSettings service = channel.settings();
		if (service.connect() != ConnectMode.REQUIRED) {
			return;
		}
		try {
			if (awaitReady(channel.managedChannel(), service.connectTimeout().toMillis())) {
				return;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		throw new GrpcClientStartupException("gRPC service '" + service.name() + "' at '" + service.describeTarget()
				+ "' is required ('connect: required') but was not READY within "
				+ ConfigurationViolation.format(service.connectTimeout()) + " (state "
				+ channel.managedChannel().getState(false) + ").",
				"Start the service or fix its address, raise its 'connect-timeout', or set its 'connect' to 'eager' or "
						+ "'lazy' to start without it.");
	}

	/**
	 * Waits until a channel is READY, asking it to connect while it is not.
	 * @param channel the channel
	 * @param timeoutMillis the longest wait
	 * @return whether the channel became READY in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	static boolean awaitReady(ManagedChannel channel, long timeoutMillis) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
		ConnectivityState state = channel.getState(true);
		while (state != ConnectivityState.READY) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0 || state == ConnectivityState.SHUTDOWN) {
				return false;
			}
			CountDownLatch changed = new CountDownLatch(1);
			channel.notifyWhenStateChanged(state, changed::countDown);
			changed.await(remaining, TimeUnit.NANOSECONDS);
			state = channel.getState(true);
		}
		return true;
	}

}
