package io.github.rpcclient.route;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One service's pods as the {@link PodRegistry} read them at one moment, with Redis' clock at that
 * moment (advanced locally since, unless frozen while Redis cannot be read) and the links this
 * client made since.
 */
final class PodSet {

	/** The pods of a service that is not stateful: none. */
	static final PodSet EMPTY = new PodSet(Map.of(), Map.of(), 0, false);

	final Map<Integer, Pod> pods;

	final Map<Integer, Pod> published;

	final long redisTimeAtRead;

	final long nanosAtRead = System.nanoTime();

	final boolean clockRunning;

	final Map<Integer, LongAdder> localLinks = new ConcurrentHashMap<>();

	PodSet(Map<Integer, Pod> pods, Map<Integer, Pod> published, long redisTimeAtRead, boolean clockRunning) {
		this.pods = pods;
		this.published = published;
		this.redisTimeAtRead = redisTimeAtRead;
		this.clockRunning = clockRunning;
	}

	long redisNow() {
		return this.clockRunning
				? this.redisTimeAtRead + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.nanosAtRead)
				: this.redisTimeAtRead;
	}

	long localLinks(int index) {
		LongAdder adder = this.localLinks.get(index);
		return (adder != null) ? adder.sum() : 0;
	}

	PodSet frozen() {
		return this.clockRunning ? new PodSet(this.pods, this.published, redisNow(), false) : this;
	}

}
