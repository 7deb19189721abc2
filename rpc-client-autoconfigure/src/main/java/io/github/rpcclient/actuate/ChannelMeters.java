package io.github.rpcclient.actuate;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceChannel;
import io.grpc.ConnectivityState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Gauges of each configured service, tagged {@code grpc.client.name}:
 * {@code grpc.client.channel.state} (one gauge per connectivity state, tag {@code state}, 1 for the
 * channel's current state and 0 for the others) and {@code grpc.client.calls.active} (calls in
 * flight, retries and backoffs included). Read when scraped; nothing on the call path.
 */
public class ChannelMeters implements MeterBinder {

	private final ManagedChannelRegistry registry;

	/**
	 * Creates the binder.
	 * @param registry the services
	 */
	public ChannelMeters(ManagedChannelRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void bindTo(MeterRegistry meters) {
		for (String name : this.registry.getServiceNames()) {
			ServiceChannel channel = this.registry.get(name);
			for (ConnectivityState state : ConnectivityState.values()) {
				Gauge.builder("grpc.client.channel.state", channel,
						(each) -> (each.managedChannel().getState(false) == state) ? 1 : 0)
					.description("1 for the channel's connectivity state, 0 for the others")
					.tag("grpc.client.name", name)
					.tag("state", state.name())
					.strongReference(true)
					.register(meters);
			}
			Gauge.builder("grpc.client.calls.active", channel, (each) -> each.calls().inFlight())
				.description("gRPC client calls started and not closed, retries and backoffs included")
				.tag("grpc.client.name", name)
				.strongReference(true)
				.register(meters);
		}
	}

}
