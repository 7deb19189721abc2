package io.github.rpcclient.channel;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shuts channels down gracefully: new calls are refused at once, in-flight calls get up to their
 * service's {@code shutdown-grace-period} to finish (all services' periods run at the same time),
 * and are then cancelled.
 */
final class GracefulChannelShutdown {

	private static final Logger logger = LoggerFactory.getLogger(ManagedChannelRegistry.class);

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long TERMINATION_NANOS = TimeUnit.SECONDS.toNanos(1);

	private GracefulChannelShutdown() {
	}

	static void shutdown(Collection<ServiceChannel> channels) {
		long start = System.nanoTime();
		channels.forEach((channel) -> channel.managedChannel().shutdown());
		int cancelled = 0;
		int failed = 0;
		for (ServiceChannel channel : channels) {
			long graceEnd = start + channel.settings().shutdownGracePeriod().toNanos();
			if (!awaitCalls(channel, graceEnd)) {
				cancelled++;
			}
			// No call is left (or the grace period is over): end the transports now rather than
			// wait for those grpc-java keeps open for a while after a channel went idle.
			channel.managedChannel().shutdownNow();
			if (!awaitTermination(channel.managedChannel(), TERMINATION_NANOS)) {
				failed++;
			}
		}
		if (cancelled > 0 || failed > 0) {
			logger.warn("Closed {} gRPC channels: {} still had calls running at the end of their shutdown grace period, "
					+ "which were cancelled; {} did not terminate", channels.size(), cancelled, failed);
		}
		else {
			logger.debug("Closed {} gRPC channels", channels.size());
		}
	}

	/**
	 * Waits until a shut-down channel has no call in flight, or the grace period ends.
	 * @return whether every call finished in time
	 */
	private static boolean awaitCalls(ServiceChannel channel, long graceEnd) {
		ManagedChannel managed = channel.managedChannel();
		while (channel.inFlightCalls().getAsLong() > 0 && !managed.isTerminated()) {
			long remaining = graceEnd - System.nanoTime();
			if (remaining <= 0) {
				return false;
			}
			awaitTermination(managed, Math.min(remaining, POLL_NANOS));
		}
		return true;
	}

	private static boolean awaitTermination(ManagedChannel channel, long nanos) {
		try {
			return channel.awaitTermination(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return channel.isTerminated();
		}
	}

}
