package io.github.rpcclient.proxy;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.github.rpcclient.channel.CallExecutors;
import io.github.rpcclient.route.StatefulRouting;
import io.grpc.CallOptions;
import io.grpc.Status;

/**
 * Calls a configured service by message id, without a generated stub per message (the seed's
 * RPC proxy). The target implements {@code RouterService} ({@code router.proto}); a
 * an {@code RpcRouterService} (package {@code proxy.server}) serves it from {@code @RpcHandler}
 * methods.
 *
 * <pre class="code">
 * &#64;GrpcClient("game") RpcProxy game;
 *
 * byte[] echoed = game.call("echo", RpcContent.bytes(payload)).bytes().get(0);
 * LoginReply reply = game.forUser(uid).call("login", RpcContent.json(login)).as(LoginReply.class);
 * </pre>
 *
 * A stateless target gets one unary {@code Call} per call, through the service's whole chain. A
 * stateful target ({@code stateful: true}) gets one {@code StreamCall} per pod, shared by all
 * users linked to that pod and multiplexed by request id; the user comes from
 * {@link #forUser(String)}, else from {@link StatefulRouting#runAs}.
 * <p>
 * Every failure is an {@link RpcProxyException} naming its {@link RpcError}. A proxy is
 * thread-safe; share one per target. {@link #forUser} views share their proxy's streams and
 * {@link #close()}.
 */
public final class RpcProxy implements AutoCloseable {

	private final ProxyCore core;

	private final String uid;

	RpcProxy(ProxyCore core, String uid) {
		this.core = core;
		this.uid = uid;
	}

	/**
	 * Calls a message and waits for its response, within the service's {@code timeout}.
	 * @param msgId the message id
	 * @param content the content
	 * @return the response content
	 * @throws RpcProxyException if the call failed
	 */
	public RpcContent call(String msgId, RpcContent content) {
		return join(this.core.call(this.uid, msgId, content, null));
	}

	/**
	 * Calls a message and waits for its response.
	 * @param msgId the message id
	 * @param content the content
	 * @param timeout the longest wait for the response
	 * @return the response content
	 * @throws RpcProxyException if the call failed
	 */
	public RpcContent call(String msgId, RpcContent content, Duration timeout) {
		return join(this.core.call(this.uid, msgId, content, timeout));
	}

	/**
	 * Calls a message without waiting. The future completes on a pool thread, never on the
	 * transport's or a timer's; cancelling it cancels the call.
	 * @param msgId the message id
	 * @param content the content
	 * @return the response to come; a failure is an {@link RpcProxyException}
	 */
	public CompletableFuture<RpcContent> callAsync(String msgId, RpcContent content) {
		return async(this.core.call(this.uid, msgId, content, null));
	}

	/**
	 * Calls a message without waiting, with a timeout of its own.
	 * @param msgId the message id
	 * @param content the content
	 * @param timeout the longest wait for the response
	 * @return the response to come; a failure is an {@link RpcProxyException}
	 */
	public CompletableFuture<RpcContent> callAsync(String msgId, RpcContent content, Duration timeout) {
		return async(this.core.call(this.uid, msgId, content, timeout));
	}

	/**
	 * Returns a view of this proxy whose calls are made for a user: for a stateful target they go
	 * to that user's pod. The view shares this proxy's streams; closing either closes both.
	 * @param uid the user
	 * @return the view
	 */
	public RpcProxy forUser(String uid) {
		if (uid == null || uid.isBlank()) {
			throw new RpcProxyException(RpcError.USER_REQUIRED, "forUser needs a user id, got '" + uid + "'");
		}
		return new RpcProxy(this.core, uid);
	}

	/**
	 * Closes the proxy: its streams end, calls pending on them and later calls fail with
	 * {@link RpcError#PROXY_CLOSED}. The service's channel is the registry's and stays open for
	 * its stubs. Idempotent.
	 */
	@Override
	public void close() {
		this.core.close();
	}

	/** @return whether {@link #close()} was called */
	public boolean isClosed() {
		return this.core.isClosed();
	}

	/** @return the name sent as the source service of every call */
	public String sourceService() {
		return this.core.sourceService();
	}

	/** @return whether the target is stateful (calls go over per-pod streams) */
	public boolean isStateful() {
		return this.core.isStateful();
	}

	/** @return the target service's name */
	public String serviceName() {
		return this.core.serviceName();
	}

	/** @return the user of this view, or {@code null} */
	public String user() {
		return this.uid;
	}

	/** @return the streams to pods open now (always 0 for a stateless target) */
	public int openStreams() {
		return this.core.openStreams();
	}

	private static RpcContent join(CompletableFuture<RpcContent> response) {
		try {
			return response.get();
		}
		catch (ExecutionException ex) {
			throw rethrown(ex.getCause());
		}
		catch (InterruptedException ex) {
			response.cancel(false);
			Thread.currentThread().interrupt();
			throw RpcProxyException.callFailed(Status.CANCELLED.withDescription("interrupted"), "The call");
		}
	}

	private static RpcProxyException rethrown(Throwable failure) {
		Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
				: failure;
		RpcProxyException original = RpcProxyException.of(cause, "The call");
		return original;
	}

	private static CompletableFuture<RpcContent> async(CompletableFuture<RpcContent> response) {
		CompletableFuture<RpcContent> result = new CompletableFuture<>();
		response.whenComplete((content, failure) -> CallExecutors.execute(CallExecutors.of(CallOptions.DEFAULT), () -> {
			if (failure != null) {
				result.completeExceptionally((failure instanceof CancellationException) ? failure : rethrown(failure));
			}
			else {
				result.complete(content);
			}
		}));
		result.whenComplete((content, failure) -> {
			if (failure instanceof CancellationException) {
				response.cancel(false);
			}
		});
		return result;
	}

}
