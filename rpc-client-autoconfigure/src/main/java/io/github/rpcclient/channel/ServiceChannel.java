package io.github.rpcclient.channel;

import java.util.function.LongSupplier;

import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.Channel;
import io.grpc.ManagedChannel;

/**
 * A service's channel and the interceptor chain in front of it.
 *
 * @param settings the service's resolved settings
 * @param managedChannel the transport channel, shared by every stub of the service
 * @param callChannel the managed channel behind the service's interceptor chain, what stubs call
 * @param calls counts the calls made through {@code callChannel}: in flight, started, failed
 */
public record ServiceChannel(ServiceSettings settings, ManagedChannel managedChannel, Channel callChannel,
		CallCounts calls) {

	/**
	 * @return counts the calls made through {@code callChannel} that have not closed yet
	 */
	public LongSupplier inFlightCalls() {
		return this.calls::inFlight;
	}

}
