package io.github.rpcclient.actuate;

import java.util.Map;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.grpc.ConnectivityState;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Health of the gRPC channels: DOWN while any channel is in TRANSIENT_FAILURE (it tried to
 * connect and failed), UP otherwise; the details list every channel's state. Idle channels are not
 * asked to connect.
 */
public class GrpcClientsHealthIndicator extends AbstractHealthIndicator {

	private final ManagedChannelRegistry registry;

	/**
	 * Creates the indicator.
	 * @param registry the channels to check
	 */
	public GrpcClientsHealthIndicator(ManagedChannelRegistry registry) {
		super("gRPC client health check failed");
		this.registry = registry;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Map<String, ConnectivityState> states = this.registry.getStates();
		boolean failing = states.containsValue(ConnectivityState.TRANSIENT_FAILURE)
				|| states.containsValue(ConnectivityState.SHUTDOWN);
		(failing ? builder.down() : builder.up()).withDetails(Map.copyOf(states));
	}

}
