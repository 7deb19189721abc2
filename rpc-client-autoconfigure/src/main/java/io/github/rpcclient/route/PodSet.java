package io.github.rpcclient.route;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One service's pods as the {@link PodRegistry} read them at one moment, with Redis' clock at that
 * moment (advanced locally since, unless frozen while Redis cannot be read) and the links this
 * client made since. Until {@code unverifiedUntil} (Redis time), shortly after Redis came back from
 * an outage, a pod whose heartbeat lapsed or that is missing is <em>unverified</em>, not DOWN: its
 * publisher may not have had the chance to beat again yet.
 */
final class PodSet {

	/** The pods of a service that is not stateful: none. */
	static final PodSet EMPTY = new PodSet(Map.of(), Map.of(), 0, false);

	final Map<Integer, Pod> pods;

	final Map<Integer, Pod> published;

	final long redisTimeAtRead;

	final long nanosAtRead = System.nanoTime();

	final boolean clockRunning;

	final long unverifiedUntil;

	final Map<Integer, LongAdder> localLinks = new ConcurrentHashMap<>();

	PodSet(Map<Integer, Pod> pods, Map<Integer, Pod> published, long redisTimeAtRead, boolean clockRunning) {
		this(pods, published, redisTimeAtRead, clockRunning, Long.MIN_VALUE);
	}

	private PodSet(Map<Integer, Pod> pods, Map<Integer, Pod> published, long redisTimeAtRead, boolean clockRunning,
			long unverifiedUntil) {
		this.pods = pods;
		this.published = published;
		this.redisTimeAtRead = redisTimeAtRead;
		this.clockRunning = clockRunning;
		this.unverifiedUntil = unverifiedUntil;
	}

	long redisNow() {
		return this.clockRunning
				? this.redisTimeAtRead + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.nanosAtRead)
				: this.redisTimeAtRead;
	}

	/**
	 * @param pod one of the pods
	 * @return its state now; the last published one if it is merely unverified
	 */
	PodState stateOf(Pod pod) {
		long now = redisNow();
		PodState state = pod.stateAt(now);
		return (state == PodState.DOWN && pod.state() != PodState.DOWN && now <= this.unverifiedUntil) ? pod.state()
				: state;
	}

	/**
	 * @param pod one of the pods
	 * @return whether it counts as alive only because Redis just came back
	 */
	boolean isUnverified(Pod pod) {
		long now = redisNow();
		return pod.stateAt(now) == PodState.DOWN && pod.state() != PodState.DOWN && now <= this.unverifiedUntil;
	}

	long localLinks(int index) {
		LongAdder adder = this.localLinks.get(index);
		return (adder != null) ? adder.sum() : 0;
	}

	PodSet frozen() {
		return this.clockRunning
				? new PodSet(this.pods, this.published, redisNow(), false, this.unverifiedUntil) : this;
	}

	/**
	 * This fresh read, keeping the pods of an earlier one that it lacks, all unverified for a while.
	 * @param previous the earlier read
	 * @param graceMillis how long lapsed or missing pods stay unverified
	 * @return the merged set
	 */
	PodSet withUnverified(PodSet previous, long graceMillis) {
		Map<Integer, Pod> pods = new TreeMap<>(this.pods);
		previous.pods.forEach(pods::putIfAbsent);
		Map<Integer, Pod> published = new TreeMap<>(this.published);
		previous.published.forEach(published::putIfAbsent);
		return new PodSet(java.util.Collections.unmodifiableMap(pods), published, this.redisTimeAtRead,
				this.clockRunning, this.redisTimeAtRead + graceMillis);
	}

}
