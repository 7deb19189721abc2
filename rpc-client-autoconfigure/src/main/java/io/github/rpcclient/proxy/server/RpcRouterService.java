package io.github.rpcclient.proxy.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.proxy.RpcContent;
import io.github.rpcclient.proxy.RpcProxyException;
import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;
import io.github.rpcclient.proxy.wire.ContentType;
import io.github.rpcclient.proxy.wire.RouterServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code RouterService} that dispatches each call to the handler of its message id, over both
 * transports: unary {@code Call} (the handler runs on the server's thread) and {@code StreamCall}
 * (each request handled on its own, on a pool of up to {@value #MAX_STREAM_THREADS} threads, and
 * answered as soon as it is done, in any order; beyond that the stream's own thread runs the
 * handler, which holds back reading from that stream). Every response carries its request's id.
 * An unknown message id, unsupported or invalid content, and a failed handler are answered with
 * an error code ({@code UNKNOWN_MESSAGE_ID}, {@code UNSUPPORTED_CONTENT_TYPE},
 * {@code INVALID_CONTENT}, the handler's own, or {@code HANDLER_FAILED}) and message, never by
 * failing the stream. Register it with your gRPC server.
 */
public class RpcRouterService extends RouterServiceGrpc.RouterServiceImplBase implements AutoCloseable {

	/** Most threads handling stream requests at once. */
	public static final int MAX_STREAM_THREADS = 64;

	private static final Logger logger = LoggerFactory.getLogger(RpcRouterService.class);

	private final RpcHandlerRegistry handlers;

	private final ObjectMapper mapper;

	private final ExecutorService streamExecutor;

	private final AtomicInteger openStreams = new AtomicInteger();

	/**
	 * Creates the router.
	 * @param handlers the handlers by message id
	 * @param mapper reads and writes typed JSON content
	 */
	public RpcRouterService(RpcHandlerRegistry handlers, ObjectMapper mapper) {
		this.handlers = handlers;
		this.mapper = mapper;
		AtomicInteger threads = new AtomicInteger();
		this.streamExecutor = new ThreadPoolExecutor(0, MAX_STREAM_THREADS, 60, TimeUnit.SECONDS,
				new SynchronousQueue<>(), (task) -> {
					Thread thread = new Thread(task, "rpc-router-" + threads.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				}, new ThreadPoolExecutor.CallerRunsPolicy());
	}

	@Override
	public void call(CallRequest request, StreamObserver<CallResponse> responses) {
		dispatch(request).thenAccept((response) -> {
			responses.onNext(response);
			responses.onCompleted();
		});
	}

	@Override
	public StreamObserver<CallRequest> streamCall(StreamObserver<CallResponse> responses) {
		return new Stream(responses, this.streamExecutor);
	}

	/** @return the {@code StreamCall} streams open now */
	public int openStreams() {
		return this.openStreams.get();
	}

	/** @return the handlers */
	public RpcHandlerRegistry handlers() {
		return this.handlers;
	}

	/**
	 * Handles one request.
	 * @param request the request
	 * @return its response, an error response if the handler failed; never completes exceptionally
	 */
	public CompletableFuture<CallResponse> dispatch(CallRequest request) {
		try {
			RpcMessageHandler handler = this.handlers.get(request.getMsgId());
			if (handler == null) {
				return CompletableFuture.completedFuture(error(request, "UNKNOWN_MESSAGE_ID",
						"No handler for message '" + request.getMsgId() + "'; handled: " + this.handlers.messageIds()));
			}
			RpcContent content = RpcContent.fromWire(request.getContentTypeValue(), request.getContentList(),
					this.mapper);
			Object result = handler.handle(new RpcRequest(request.getRequestId(), request.getMsgId(),
					request.getSrcService(), request.getUserId(), content));
			if (result instanceof CompletionStage<?> stage) {
				return stage.toCompletableFuture().handle((value, failure) -> (failure != null)
						? failed(request, (failure instanceof CompletionException && failure.getCause() != null)
								? failure.getCause() : failure)
						: respond(request, value));
			}
			return CompletableFuture.completedFuture(respond(request, result));
		}
		catch (Exception ex) {
			return CompletableFuture.completedFuture(failed(request, ex));
		}
	}

	private CallResponse respond(CallRequest request, Object result) {
		try {
			RpcContent content = (result instanceof RpcContent given) ? given
					: (result == null) ? RpcContent.empty()
					: (result instanceof byte[] bytes) ? RpcContent.bytes(bytes)
					: (result instanceof String text) ? RpcContent.json(this.mapper.writeValueAsString(text))
					: RpcContent.json(result);
			return CallResponse.newBuilder()
				.setRequestId(request.getRequestId())
				.setContentType(content.type().wire())
				.addAllContent(content.toWire(this.mapper))
				.build();
		}
		catch (RuntimeException | JsonProcessingException ex) {
			return failed(request, ex);
		}
	}

	private CallResponse failed(CallRequest request, Throwable failure) {
		if (failure instanceof RpcHandlerException handler) {
			return error(request, handler.code(), handler.getMessage());
		}
		if (failure instanceof RpcProxyException proxy) {
			return error(request, proxy.error().name(), proxy.getMessage());
		}
		logger.warn("Handler of message '{}' (request {}) failed", request.getMsgId(), request.getRequestId(), failure);
		return error(request, "HANDLER_FAILED", String.valueOf(failure));
	}

	private static CallResponse error(CallRequest request, String code, String message) {
		return CallResponse.newBuilder()
			.setRequestId(request.getRequestId())
			.setContentType(ContentType.CONTENT_TYPE_UNSPECIFIED)
			.setErrorCode((code != null && !code.isBlank()) ? code : "HANDLER_FAILED")
			.setErrorMessage((message != null) ? message : "")
			.build();
	}

	/** Stops the stream threads (idle ones end by themselves after a minute). */
	@Override
	public void close() {
		this.streamExecutor.shutdown();
	}

	/** One {@code StreamCall}: requests handled concurrently, responses sent one at a time. */
	private final class Stream implements StreamObserver<CallRequest> {

		private final StreamObserver<CallResponse> responses;

		private final Executor executor;

		private final AtomicInteger inFlight = new AtomicInteger();

		private final AtomicBoolean ended = new AtomicBoolean();

		private volatile boolean inputDone;

		Stream(StreamObserver<CallResponse> responses, Executor executor) {
			this.responses = responses;
			this.executor = executor;
			RpcRouterService.this.openStreams.incrementAndGet();
		}

		@Override
		public void onNext(CallRequest request) {
			this.inFlight.incrementAndGet();
			this.executor.execute(() -> dispatch(request).thenAccept(this::send));
		}

		private void send(CallResponse response) {
			synchronized (this) {
				if (!this.ended.get()) {
					try {
						this.responses.onNext(response);
					}
					catch (RuntimeException ex) {
						// the call was cancelled meanwhile
					}
				}
			}
			if (this.inFlight.decrementAndGet() == 0 && this.inputDone) {
				complete();
			}
		}

		@Override
		public void onError(Throwable failure) {
			end();
		}

		@Override
		public void onCompleted() {
			this.inputDone = true;
			if (this.inFlight.get() == 0) {
				complete();
			}
		}

		private void complete() {
			synchronized (this) {
				if (end()) {
					this.responses.onCompleted();
				}
			}
		}

		private boolean end() {
			if (this.ended.compareAndSet(false, true)) {
				RpcRouterService.this.openStreams.decrementAndGet();
				return true;
			}
			return false;
		}

	}

}
