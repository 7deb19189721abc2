package io.github.rpcclient.route;

import org.springframework.lang.Nullable;

/**
 * One pod of a stateful service as the registry last saw it.
 *
 * @param index the pod index, 1 or more
 * @param address where to reach it, or {@code null} if it was published without one
 * @param state its published (or static) state
 * @param load its load figure, lower is better
 * @param heartbeatDeadline Redis time (ms) after which it counts as DOWN; {@link Long#MAX_VALUE}
 * for a static pod that publishes nothing
 * @param links approximate number of users linked to it
 */
public record Pod(int index, @Nullable String address, PodState state, double load, long heartbeatDeadline,
		long links) {

	/**
	 * Creates a statically configured pod: routable, no load, no heartbeat.
	 * @param index the index
	 * @param address the address
	 * @return the pod
	 */
	static Pod fixed(int index, String address) {
		return new Pod(index, address, PodState.ROUTABLE, 0, Long.MAX_VALUE, 0);
	}

	/**
	 * Parses a pod published in Redis as {@code state|load|deadline|address}.
	 * @param index the index
	 * @param encoded the hash value
	 * @param links its link count
	 * @return the pod, or {@code null} if the value is not one
	 */
	@Nullable
	static Pod parse(int index, String encoded, long links) {
		String[] parts = encoded.split("\\|", 4);
		if (parts.length < 4) {
			return null;
		}
		try {
			return new Pod(index, parts[3].isEmpty() ? null : parts[3], PodState.valueOf(parts[0]),
					Double.parseDouble(parts[1]), Long.parseLong(parts[2]), links);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * Its state at a moment on Redis' clock: DOWN once the heartbeat is older than its TTL.
	 * @param redisNowMillis the moment
	 * @return the state
	 */
	public PodState stateAt(long redisNowMillis) {
		return (redisNowMillis > this.heartbeatDeadline) ? PodState.DOWN : this.state;
	}

	Pod withLinks(long links) {
		return new Pod(this.index, this.address, this.state, this.load, this.heartbeatDeadline, links);
	}

	Pod withAddress(@Nullable String fallback) {
		return (this.address != null || fallback == null) ? this
				: new Pod(this.index, fallback, this.state, this.load, this.heartbeatDeadline, this.links);
	}

}
