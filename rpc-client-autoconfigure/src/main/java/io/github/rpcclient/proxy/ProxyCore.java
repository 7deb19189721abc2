package io.github.rpcclient.proxy;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;
import io.github.rpcclient.route.StatefulRouting;

/**
 * What an {@link RpcProxy} and its {@link RpcProxy#forUser user views} share: checks each call,
 * builds its request (a request id unique in this process), sends it to the target and reads the
 * response.
 */
final class ProxyCore {

	/** Longest message id, in characters. */
	static final int MAX_MESSAGE_ID_LENGTH = 256;

	private static final AtomicLong ids = new AtomicLong();

	private static final String idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-";

	private final String service;

	private final String sourceService;

	private final boolean stateful;

	private final CallTarget target;

	private final ObjectMapper mapper;

	private final long defaultTimeoutNanos;

	private final Runnable onClose;

	private final AtomicBoolean closed = new AtomicBoolean();

	ProxyCore(String service, String sourceService, boolean stateful, CallTarget target, ObjectMapper mapper,
			Duration defaultTimeout, Runnable onClose) {
		this.service = service;
		this.sourceService = sourceService;
		this.stateful = stateful;
		this.target = target;
		this.mapper = mapper;
		this.defaultTimeoutNanos = defaultTimeout.toNanos();
		this.onClose = onClose;
	}

	CompletableFuture<RpcContent> call(String uid, String msgId, RpcContent content, Duration timeout) {
		CompletableFuture<CallResponse> sent;
		try {
			sent = send(uid, msgId, content, timeout);
		}
		catch (RpcProxyException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		CompletableFuture<RpcContent> response = sent.thenApply((reply) -> read(msgId, reply));
		response.whenComplete((value, failure) -> {
			if (failure instanceof CancellationException) {
				sent.cancel(false);
			}
		});
		return response;
	}

	private CompletableFuture<CallResponse> send(String uid, String msgId, RpcContent content, Duration timeout) {
		if (this.closed.get()) {
			throw closedError();
		}
		checkMessageId(msgId);
		if (content == null) {
			throw new RpcProxyException(RpcError.INVALID_CONTENT, "The content of '" + msgId + "' is null");
		}
		if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
			throw new IllegalArgumentException("timeout must be positive, got " + timeout);
		}
		String user = (uid != null) ? uid : StatefulRouting.CONTEXT_UID.get();
		if (this.stateful && (user == null || user.isBlank())) {
			throw new RpcProxyException(RpcError.USER_REQUIRED, "Calls to stateful service '" + this.service
					+ "' must name their user: proxy.forUser(uid).call(...), or call inside StatefulRouting.runAs(uid, ...)");
		}
		CallRequest.Builder request = CallRequest.newBuilder()
			.setRequestId(idPrefix + ids.incrementAndGet())
			.setMsgId(msgId)
			.setSrcService(this.sourceService)
			.setContentType(content.type().wire())
			.addAllContent(content.toWire(this.mapper));
		if (user != null) {
			request.setUserId(user);
		}
		long timeoutNanos = (timeout != null) ? timeout.toNanos() : this.defaultTimeoutNanos;
		return this.target.send(request.build(), timeoutNanos);
	}

	private RpcContent read(String msgId, CallResponse response) {
		if (!response.getErrorCode().isEmpty()) {
			throw RpcProxyException.handlerError(response.getErrorCode(), response.getErrorMessage(),
					"Call '" + msgId + "' (request " + response.getRequestId() + ") to '" + this.service + "'");
		}
		return RpcContent.fromWire(response.getContentTypeValue(), response.getContentList(), this.mapper);
	}

	private static void checkMessageId(String msgId) {
		String problem = null;
		if (msgId == null || msgId.isBlank()) {
			problem = "is blank";
		}
		else if (msgId.length() > MAX_MESSAGE_ID_LENGTH) {
			problem = "is " + msgId.length() + " characters long, more than " + MAX_MESSAGE_ID_LENGTH;
		}
		else if (msgId.chars().anyMatch(Character::isISOControl)) {
			problem = "contains control characters";
		}
		if (problem != null) {
			String shown = (msgId == null) ? "null"
					: "'" + ((msgId.length() > 40) ? msgId.substring(0, 40) + "…" : msgId) + "'";
			throw new RpcProxyException(RpcError.INVALID_MESSAGE_ID, "The message id " + shown + " " + problem);
		}
	}

	private RpcProxyException closedError() {
		return new RpcProxyException(RpcError.PROXY_CLOSED, "The RPC proxy of '" + this.service + "' is closed");
	}

	void close() {
		if (this.closed.compareAndSet(false, true)) {
			this.target.close(closedError());
			this.onClose.run();
		}
	}

	boolean isClosed() {
		return this.closed.get();
	}

	String sourceService() {
		return this.sourceService;
	}

	boolean isStateful() {
		return this.stateful;
	}

	String serviceName() {
		return this.service;
	}

	int openStreams() {
		return this.target.openStreams();
	}

}
