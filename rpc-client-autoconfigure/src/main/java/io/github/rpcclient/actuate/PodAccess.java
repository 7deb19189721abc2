package io.github.rpcclient.actuate;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.springframework.lang.Nullable;

/**
 * What the {@code grpcclients} endpoint reads and does to the pods of stateful services. Keeps the
 * endpoint free of Redis, which is optional.
 */
public interface PodAccess {

	/** No stateful routing (Redis absent). */
	PodAccess NONE = new PodAccess() {

		@Override
		public List<PodDescriptor> pods(String service) {
			return List.of();
		}

		@Override
		public boolean drain(String service, int pod, boolean drain) {
			return false;
		}

	};

	/**
	 * @param service a stateful service
	 * @return its pods in the local namespace, by index, without their breaker state
	 * @throws RuntimeException if they were never read and Redis cannot be reached
	 */
	List<PodDescriptor> pods(String service);

	/**
	 * Drains a pod for this client (no new links to it), or undrains it.
	 * @param service a stateful service
	 * @param pod the pod index
	 * @param drain {@code true} to drain, {@code false} to undrain
	 * @return whether that changed anything
	 */
	boolean drain(String service, int pod, boolean drain);

	/**
	 * One pod of a stateful service as this client sees it.
	 *
	 * @param index the pod index
	 * @param address where it is reached, or {@code null} if unknown
	 * @param state ROUTABLE, DRAINING or DOWN, as this client routes it
	 * @param unverified {@code true} if it counts as alive only because its publisher has not
	 * beaten since Redis came back from an outage (within {@code reconnect-grace}), else
	 * {@code null}
	 * @param heartbeatAgeMillis ms since its last heartbeat on Redis' clock, or {@code null} for a
	 * static pod that publishes none
	 * @param load its published load
	 * @param linkedUsers users linked to it (approximate)
	 * @param circuitBreaker the state of its circuit breaker, or {@code null} if it has none (yet)
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record PodDescriptor(int index, @Nullable String address, String state, @Nullable Boolean unverified,
			@Nullable Long heartbeatAgeMillis, double load, long linkedUsers, @Nullable String circuitBreaker) {

		PodDescriptor withCircuitBreaker(@Nullable String state) {
			return new PodDescriptor(this.index, this.address, this.state, this.unverified, this.heartbeatAgeMillis,
					this.load, this.linkedUsers, state);
		}

	}

}
