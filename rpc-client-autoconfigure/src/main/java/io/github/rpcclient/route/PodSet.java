package io.github.rpcclient.route;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.lang.Nullable;

/**
 * One service's pods as the {@link PodRegistry} read them at one moment, with Redis' clock at that
 * moment (advanced locally since, unless frozen because the next read failed) and the links this
 * client made since.
 * <p>
 * After an outage (reads failed, or Redis lost the pods hash) the pods that were alive before it
 * are <em>awaited</em> until {@code unverifiedUntil} (Redis time): such a pod that has not beaten
 * since counts as <em>unverified</em>, not DOWN, when its heartbeat has lapsed or it is missing
 * (Redis restarted empty), since its publisher may not have reconnected yet. It keeps its last
 * published state (its users stay). Its first heartbeat after the outage ends the wait.
 */
final class PodSet {

	/** The pods of a service that is not stateful: none. */
	static final PodSet EMPTY = new PodSet(Map.of(), Map.of(), 0, false, null);

	final Map<Integer, Pod> pods;

	final Map<Integer, Pod> published;

	final long redisTimeAtRead;

	final long nanosAtRead = System.nanoTime();

	/** Whether Redis answered this read: false if it was never read or the last read failed. */
	final boolean clockRunning;

	/** The mark of the pods hash this read saw ({@link PublishedPods#since()}), if there was one. */
	@Nullable
	final String since;

	/** Pods alive before an outage and not heard of since, as they were then. */
	final Map<Integer, Pod> awaited;

	/** Redis time until which {@link #awaited} pods may be unverified. */
	final long unverifiedUntil;

	final Map<Integer, LongAdder> localLinks = new ConcurrentHashMap<>();

	PodSet(Map<Integer, Pod> pods, Map<Integer, Pod> published, long redisTimeAtRead, boolean clockRunning,
			@Nullable String since) {
		this(pods, published, redisTimeAtRead, clockRunning, since, Map.of(), Long.MIN_VALUE);
	}

	private PodSet(Map<Integer, Pod> pods, Map<Integer, Pod> published, long redisTimeAtRead, boolean clockRunning,
			@Nullable String since, Map<Integer, Pod> awaited, long unverifiedUntil) {
		this.pods = pods;
		this.published = published;
		this.redisTimeAtRead = redisTimeAtRead;
		this.clockRunning = clockRunning;
		this.since = since;
		this.awaited = awaited;
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
		return (state == PodState.DOWN && isAwaited(pod, now)) ? pod.state() : state;
	}

	/**
	 * @param pod one of the pods
	 * @return whether it counts as alive only because its publisher may not have reconnected yet
	 */
	boolean isUnverified(Pod pod) {
		long now = redisNow();
		return pod.stateAt(now) == PodState.DOWN && isAwaited(pod, now);
	}

	private boolean isAwaited(Pod pod, long now) {
		return now <= this.unverifiedUntil && pod.state() != PodState.DOWN && this.awaited.containsKey(pod.index());
	}

	long localLinks(int index) {
		LongAdder adder = this.localLinks.get(index);
		return (adder != null) ? adder.sum() : 0;
	}

	/** This view, its clock stopped: Redis could not be read. */
	PodSet frozen() {
		return this.clockRunning ? new PodSet(this.pods, this.published, redisNow(), false, this.since, this.awaited,
				this.unverifiedUntil) : this;
	}

	/**
	 * @param next a later read
	 * @return whether Redis lost the pods hash between this read and that one
	 */
	boolean lostBy(PodSet next) {
		return this.since != null && !this.since.equals(next.since);
	}

	/**
	 * @return whether Redis answered an earlier read of this service but not the last one
	 */
	boolean readFailed() {
		return !this.clockRunning && this.redisTimeAtRead > 0;
	}

	/**
	 * This fresh read, following an earlier view of the same service, with the pods still awaited.
	 * @param previous the earlier view
	 * @param outageEnded whether Redis just came back (the earlier read failed, or Redis lost its
	 * data since): every pod alive in the earlier view is awaited from now on
	 * @param graceMillis how long pods are awaited after the outage ended
	 * @return this read with the awaited pods that it lacks or shows with a lapsed heartbeat
	 */
	PodSet after(PodSet previous, boolean outageEnded, long graceMillis) {
		Map<Integer, Pod> awaiting = new TreeMap<>();
		long until;
		if (outageEnded) {
			previous.pods.values().forEach((pod) -> {
				if (pod.heartbeatDeadline() != Long.MAX_VALUE && previous.stateOf(pod) != PodState.DOWN) {
					awaiting.put(pod.index(), previous.awaited.getOrDefault(pod.index(), pod));
				}
			});
			until = this.redisTimeAtRead + graceMillis;
		}
		else if (previous.unverifiedUntil >= this.redisTimeAtRead) {
			awaiting.putAll(previous.awaited);
			until = previous.unverifiedUntil;
		}
		else {
			return this;
		}
		Map<Integer, Pod> pods = new TreeMap<>(this.pods);
		Map<Integer, Pod> published = new TreeMap<>(this.published);
		Map<Integer, Pod> still = new TreeMap<>();
		awaiting.forEach((index, before) -> {
			Pod now = this.published.get(index);
			Pod merged = this.pods.get(index);
			boolean beatAgain = now != null && now.heartbeatDeadline() > before.heartbeatDeadline();
			if (beatAgain || (merged != null && merged.heartbeatDeadline() == Long.MAX_VALUE)) {
				return; // heard of since, or configured statically: not awaited any more
			}
			still.put(index, before);
			if (now == null) {
				pods.put(index, before);
				published.put(index, before);
			}
		});
		if (still.isEmpty()) {
			return this;
		}
		return new PodSet(Collections.unmodifiableMap(pods), Collections.unmodifiableMap(published),
				this.redisTimeAtRead, this.clockRunning, this.since, Collections.unmodifiableMap(still), until);
	}

}
