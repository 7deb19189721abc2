package io.github.rpcclient.test;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * Echo service of a test backend. Counts the attempts each method receives, can be told to fail
 * the next calls of a method with a status, and answers with its pod index and the request id it
 * received.
 */
public class EchoServiceImpl extends EchoServiceGrpc.EchoServiceImplBase {

	private final int pod;

	private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

	private final Map<String, Queue<Status>> failures = new ConcurrentHashMap<>();

	private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();

	private final Map<String, int[]> slowTail = new ConcurrentHashMap<>();

	private final Queue<Metadata> headers = new ConcurrentLinkedQueue<>();

	private final Map<String, Queue<Long>> attemptNanos = new ConcurrentHashMap<>();

	public EchoServiceImpl(int pod) {
		this.pod = pod;
	}

	/** @return how many calls of a method (simple name, such as "Echo") arrived */
	public int attempts(String method) {
		return this.attempts.computeIfAbsent(method, (m) -> new AtomicInteger()).get();
	}

	/** @return when each call of a method arrived ({@link System#nanoTime()}), oldest first */
	public List<Long> attemptNanos(String method) {
		return List.copyOf(this.attemptNanos.computeIfAbsent(method, (m) -> new ConcurrentLinkedQueue<>()));
	}

	/**
	 * Makes every {@code every}-th call of a method (the 1st, the {@code every+1}-th...) answer
	 * only after a pause: a backend with a slow tail.
	 */
	public void slowEvery(String method, int every, int millis) {
		this.slowTail.put(method, new int[] { every, millis });
	}

	/** Makes the next {@code times} calls of a method fail with the status. */
	public void failNext(String method, int times, Status status) {
		Queue<Status> queue = this.failures.computeIfAbsent(method, (m) -> new ConcurrentLinkedQueue<>());
		for (int i = 0; i < times; i++) {
			queue.add(status);
		}
	}

	/**
	 * Makes the next {@code times} calls of a method end with a status before reaching the service,
	 * as a server can that knows it will not serve them.
	 * @param method the simple method name, such as "Echo"
	 * @param times how many calls
	 * @param headersFirst whether response headers are sent before the status
	 * @param status the status
	 * @param trailers the trailers, such as {@code grpc-retry-pushback-ms}
	 */
	public void faultNext(String method, int times, boolean headersFirst, Status status, Metadata trailers) {
		Queue<Fault> queue = this.faults.computeIfAbsent(method, (m) -> new ConcurrentLinkedQueue<>());
		for (int i = 0; i < times; i++) {
			queue.add(new Fault(headersFirst, status, trailers));
		}
	}

	/** Counts a call and takes its scripted fault, if any. */
	Fault nextFault(String method) {
		Queue<Fault> queue = this.faults.get(method);
		Fault fault = (queue != null) ? queue.poll() : null;
		if (fault != null) {
			this.attemptNanos.computeIfAbsent(method, (m) -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
			this.attempts.computeIfAbsent(method, (m) -> new AtomicInteger()).incrementAndGet();
		}
		return fault;
	}

	/** A call ended by the server before the service. */
	record Fault(boolean headersFirst, Status status, Metadata trailers) {
	}

	/** @return the request headers received, oldest first */
	public Queue<Metadata> headers() {
		return this.headers;
	}

	void recordHeaders(Metadata metadata) {
		this.headers.add(metadata);
	}

	private boolean failed(String method, StreamObserver<?> observer) {
		this.attemptNanos.computeIfAbsent(method, (m) -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
		int attempt = this.attempts.computeIfAbsent(method, (m) -> new AtomicInteger()).incrementAndGet();
		int[] tail = this.slowTail.get(method);
		if (tail != null && (attempt - 1) % tail[0] == 0) {
			sleep(tail[1]);
		}
		Queue<Status> queue = this.failures.get(method);
		Status status = (queue != null) ? queue.poll() : null;
		if (status != null) {
			observer.onError(status.asRuntimeException());
			return true;
		}
		return false;
	}

	private EchoResponse reply(String message) {
		return EchoResponse.newBuilder()
			.setMessage(message)
			.setPod(this.pod)
			.setRequestId(String.valueOf(RequestHeaders.REQUEST_ID.get() == null ? "" : RequestHeaders.REQUEST_ID.get()))
			.build();
	}

	private static void sleep(int millis) {
		if (millis > 0) {
			try {
				Thread.sleep(millis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public void echo(EchoRequest request, StreamObserver<EchoResponse> observer) {
		unary("Echo", request, observer);
	}

	@Override
	public void slow(EchoRequest request, StreamObserver<EchoResponse> observer) {
		unary("Slow", request, observer);
	}

	@Override
	public void idempotentEcho(EchoRequest request, StreamObserver<EchoResponse> observer) {
		unary("IdempotentEcho", request, observer);
	}

	private void unary(String method, EchoRequest request, StreamObserver<EchoResponse> observer) {
		if (failed(method, observer)) {
			return;
		}
		sleep(request.getSleepMillis());
		observer.onNext(reply(request.getMessage()));
		observer.onCompleted();
	}

	@Override
	public void serverStream(EchoRequest request, StreamObserver<EchoResponse> observer) {
		if (failed("ServerStream", observer)) {
			return;
		}
		for (int i = 0; i < request.getCount(); i++) {
			sleep(request.getSleepMillis());
			observer.onNext(reply(request.getMessage() + "-" + i));
		}
		Queue<Status> queue = this.failures.get("ServerStream.after-first");
		Status after = (queue != null) ? queue.poll() : null;
		if (after != null) {
			observer.onError(after.asRuntimeException());
			return;
		}
		observer.onCompleted();
	}

	@Override
	public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoResponse> observer) {
		boolean failed = failed("ClientStream", observer);
		StringBuilder joined = new StringBuilder();
		return new StreamObserver<>() {

			@Override
			public void onNext(EchoRequest request) {
				if (joined.length() > 0) {
					joined.append(',');
				}
				joined.append(request.getMessage());
			}

			@Override
			public void onError(Throwable error) {
			}

			@Override
			public void onCompleted() {
				if (!failed) {
					observer.onNext(reply(joined.toString()));
					observer.onCompleted();
				}
			}

		};
	}

	@Override
	public StreamObserver<EchoRequest> bidi(StreamObserver<EchoResponse> observer) {
		boolean failed = failed("Bidi", observer);
		return new StreamObserver<>() {

			@Override
			public void onNext(EchoRequest request) {
				if (!failed) {
					observer.onNext(reply(request.getMessage()));
				}
			}

			@Override
			public void onError(Throwable error) {
			}

			@Override
			public void onCompleted() {
				if (!failed) {
					observer.onCompleted();
				}
			}

		};
	}

}
