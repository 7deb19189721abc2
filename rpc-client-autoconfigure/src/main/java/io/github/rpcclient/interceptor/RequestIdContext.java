package io.github.rpcclient.interceptor;

import java.util.concurrent.Callable;

import io.grpc.Context;

/**
 * Carries a request id in the gRPC {@link Context}, from where {@link RequestIdClientInterceptor}
 * sends it with every call made inside.
 */
public final class RequestIdContext {

	/** The context key holding the request id. */
	public static final Context.Key<String> KEY = Context.key("rpc-client-request-id");

	private RequestIdContext() {
	}

	/**
	 * Runs a task with a request id in the gRPC context.
	 * @param requestId the id
	 * @param task the task
	 * @param <T> the task's result type
	 * @return the task's result
	 * @throws Exception what the task throws
	 */
	public static <T> T callWith(String requestId, Callable<T> task) throws Exception {
		return Context.current().withValue(KEY, requestId).call(task);
	}

	/**
	 * Runs a task with a request id in the gRPC context.
	 * @param requestId the id
	 * @param task the task
	 */
	public static void runWith(String requestId, Runnable task) {
		Context.current().withValue(KEY, requestId).run(task);
	}

}
