package io.github.rpcclient.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.ServiceChannel;
import io.github.rpcclient.channel.UnknownServiceException;
import io.github.rpcclient.properties.ChannelProperties.ConnectMode;
import io.grpc.ConnectivityState;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * Health of the gRPC clients, safe for readiness probes: only services that are
 * {@code connect: required} can change the status. A required service in TRANSIENT_FAILURE turns
 * it to the configured status ({@code OUT_OF_SERVICE} by default), one that is SHUTDOWN to DOWN;
 * every other service reports its state in the details and leaves the status UP, so one flapping
 * downstream does not take the whole application out. Only required channels are asked to
 * connect when idle (a backend that closed the connection leaves its channel IDLE, which would
 * read UP until the next call); the others are reported as they are. It
 * belongs in the readiness group, never in liveness: a restart does not mend a downstream.
 */
public class GrpcClientsHealthIndicator extends AbstractHealthIndicator {

	private final ManagedChannelRegistry registry;

	private final Status transientFailureStatus;

	/**
	 * Creates the indicator.
	 * @param registry the channels to check
	 * @param transientFailureStatus the status of a required service in TRANSIENT_FAILURE
	 */
	public GrpcClientsHealthIndicator(ManagedChannelRegistry registry, Status transientFailureStatus) {
		super("gRPC client health check failed");
		this.registry = registry;
		this.transientFailureStatus = transientFailureStatus;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Status status = Status.UP;
		Map<String, Object> details = new TreeMap<>();
		for (String name : this.registry.getServiceNames()) {
			ServiceChannel channel;
			try {
				channel = this.registry.get(name);
			}
			catch (UnknownServiceException ex) {
				continue;
			}
			boolean required = channel.settings().connect() == ConnectMode.REQUIRED;
			// A required channel that went IDLE when its backend closed the connection would
			// report UP until some call came; asking it to connect makes it tell the truth.
			ConnectivityState state = channel.managedChannel().getState(required);
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("state", state.name());
			detail.put("required", required);
			details.put(name, detail);
			if (required) {
				status = worst(status, statusOf(state));
			}
		}
		builder.status(status).withDetails(details);
	}

	private Status statusOf(ConnectivityState state) {
		return switch (state) {
			case TRANSIENT_FAILURE -> this.transientFailureStatus;
			case SHUTDOWN -> Status.DOWN;
			default -> Status.UP;
		};
	}

	private static Status worst(Status current, Status candidate) {
		return (rank(candidate) > rank(current)) ? candidate : current;
	}

	private static int rank(Status status) {
		if (Status.DOWN.equals(status)) {
			return 3;
		}
		if (Status.OUT_OF_SERVICE.equals(status)) {
			return 2;
		}
		return Status.UP.equals(status) ? 0 : 1;
	}

}
