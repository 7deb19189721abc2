package io.github.rpcclient.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Route operations under load while Redis fails over: client threads link new users
 * ({@code computeLinkedPod} of users never seen, one script each), read linked users from Redis
 * ({@code getLinkedPodNotCache}) and route them ({@code computeLinkedPod}, mostly near-cache hits).
 * Records every failed operation with how long it took, the slowest successful one, every link
 * acknowledged, and every answer that contradicts a link made before the load.
 */
final class FailoverLoad implements AutoCloseable {

	private static final String NS = RoutingFixture.NS;

	private final String service;

	private final List<RoutingFixture> clients;

	private final Map<String, Integer> linked;

	private final List<String> linkedUsers;

	private final AtomicBoolean running = new AtomicBoolean();

	private final List<Thread> threads = new ArrayList<>();

	private final AtomicLong fresh = new AtomicLong();

	private final long began = System.nanoTime();

	/** Users linked while the load ran: uid &rarr; the pod acknowledged and when (nanoTime). */
	final Map<String, Acknowledged> acknowledged = new ConcurrentHashMap<>();

	/** Operations that failed. */
	final Queue<Failure> failures = new ConcurrentLinkedQueue<>();

	/** Answers that contradict a link made before the load: a user routed or read elsewhere. */
	final Queue<String> contradictions = new ConcurrentLinkedQueue<>();

	final AtomicLong successes = new AtomicLong();

	/** The longest a successful operation took (nanoseconds). */
	private final AtomicLong slowestSuccess = new AtomicLong();

	/**
	 * @param service the stateful service
	 * @param clients the client instances to load, two threads each
	 * @param linked users linked before the load, with their pods
	 */
	FailoverLoad(String service, List<RoutingFixture> clients, Map<String, Integer> linked) {
		this.service = service;
		this.clients = clients;
		this.linked = linked;
		this.linkedUsers = List.copyOf(linked.keySet());
	}

	FailoverLoad start() {
		this.running.set(true);
		int number = 0;
		for (RoutingFixture client : this.clients) {
			for (int t = 0; t < 2; t++) {
				int offset = number++;
				Thread thread = new Thread(() -> run(client, offset), "failover-load-" + offset);
				thread.setDaemon(true);
				thread.start();
				this.threads.add(thread);
			}
		}
		return this;
	}

	private void run(RoutingFixture client, int offset) {
		int next = offset * 97;
		while (this.running.get()) {
			String uid = "fresh-" + this.fresh.incrementAndGet();
			timed("link a new user", () -> {
				OptionalInt pod = client.driver.computeLinkedPod(NS, uid, this.service);
				if (pod.isPresent()) {
					this.acknowledged.put(uid, new Acknowledged(pod.getAsInt(), System.nanoTime()));
				}
				return true;
			});
			String known = this.linkedUsers.get(next++ % this.linkedUsers.size());
			int pod = this.linked.get(known);
			timed("read a link from Redis", () -> {
				OptionalInt read = client.driver.getLinkedPodNotCache(NS, known, this.service);
				if (read.isPresent() && read.getAsInt() != pod) {
					this.contradictions.add(known + " read as pod " + read.getAsInt() + ", linked to " + pod);
				}
				return true;
			});
			timed(null, () -> {
				OptionalInt routed = client.driver.computeLinkedPod(NS, known, this.service);
				if (routed.isPresent() && routed.getAsInt() != pod) {
					this.contradictions.add(known + " routed to pod " + routed.getAsInt() + ", linked to " + pod);
				}
				return false;
			});
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
	}

	/** Runs an operation, named, or {@code null} for routing a linked user. */
	private void timed(String name, java.util.function.BooleanSupplier operation) {
		long start = System.nanoTime();
		try {
			operation.getAsBoolean();
			this.successes.incrementAndGet();
			this.slowestSuccess.accumulateAndGet(System.nanoTime() - start, Math::max);
		}
		catch (RuntimeException ex) {
			long end = System.nanoTime();
			this.failures.add(new Failure((name != null) ? name : "route a linked user", start, end - start,
					ex.getClass().getSimpleName() + ": " + ex.getMessage()));
		}
	}

	/** @return the longest a failed operation took, in milliseconds */
	long slowestFailureMillis() {
		return TimeUnit.NANOSECONDS.toMillis(this.failures.stream().mapToLong(Failure::nanos).max().orElse(0));
	}

	/** @return the longest a successful operation took, in milliseconds */
	long slowestSuccessMillis() {
		return TimeUnit.NANOSECONDS.toMillis(this.slowestSuccess.get());
	}

	/** @return when the last failed operation started (nanoTime), or the start of the load */
	long lastFailureStart() {
		return this.failures.stream().mapToLong(Failure::startNanos).max().orElse(this.began);
	}

	/** Stops the load and waits for its threads. */
	@Override
	public void close() throws InterruptedException {
		this.running.set(false);
		for (Thread thread : this.threads) {
			thread.join(10_000);
		}
	}

	/**
	 * A user linked during the load.
	 *
	 * @param pod the pod the client was told
	 * @param atNanos when it was told (nanoTime)
	 */
	record Acknowledged(int pod, long atNanos) {
	}

	/**
	 * A failed operation.
	 *
	 * @param operation what it was
	 * @param startNanos when it started (nanoTime)
	 * @param nanos how long it took
	 * @param error the exception
	 */
	record Failure(String operation, long startNanos, long nanos, String error) {
	}

}
