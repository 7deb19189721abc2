package io.github.rpcclient.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;

/**
 * Keeps the channel of a service idle while its breaker is open: no call is sent then, so the
 * channel need not keep reconnecting to the backend. In-flight calls continue, and the half-open
 * probe connects again.
 * <p>
 * One {@link ManagedChannel#enterIdle()} when the breaker opens is not enough: grpc-java leaves
 * IDLE again at once while the call whose failure opened the breaker still counts as pending in
 * the channel (it stops counting only after its listener has run, and that is where the breaker
 * opens). So the channel is watched: whenever its state changes while the breaker is still
 * {@code OPEN}, it is sent back to IDLE. The watch ends at the first state change after the breaker
 * has left {@code OPEN} (the probe connecting), or when the channel shuts down.
 */
public final class IdleWhileOpen {

	private IdleWhileOpen() {
	}

	/**
	 * Sends a channel to IDLE and keeps it there while a breaker is open.
	 * @param channel the channel of the breaker's service
	 * @param breaker the breaker, just opened
	 */
	public static void keep(ManagedChannel channel, CircuitBreaker breaker) {
		if (breaker.getState() != CircuitBreaker.State.OPEN) {
			return;
		}
		ConnectivityState state = channel.getState(false);
		if (state == ConnectivityState.SHUTDOWN) {
			return;
		}
		if (state != ConnectivityState.IDLE) {
			channel.enterIdle();
		}
		channel.notifyWhenStateChanged(state, () -> keep(channel, breaker));
	}

}
