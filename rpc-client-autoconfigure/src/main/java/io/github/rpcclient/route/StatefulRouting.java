package io.github.rpcclient.route;

import java.util.concurrent.Callable;

import io.grpc.CallOptions;
import io.grpc.Context;

/**
 * How a call to a stateful service names its user, and how the chosen pod travels down the
 * interceptor chain:
 *
 * <pre class="code">
 * sessions.withOption(StatefulRouting.UID, "user-42").get(request);
 * </pre>
 *
 * or, for every call made inside a block, {@code StatefulRouting.callAs("user-42", () -> ...)}.
 */
public final class StatefulRouting {

	/** Call option naming the user whose pod a call goes to. */
	public static final CallOptions.Key<String> UID = CallOptions.Key.create("rpc-client-uid");

	/**
	 * Call option holding the pod index chosen for a call; set by the routing interceptor, read by
	 * the per-pod circuit breaker and the pod channel.
	 */
	public static final CallOptions.Key<Integer> POD = CallOptions.Key.create("rpc-client-pod");

	/** Context key naming the user, for calls made without the {@link #UID} option. */
	public static final Context.Key<String> CONTEXT_UID = Context.key("rpc-client-uid");

	private StatefulRouting() {
	}

	/**
	 * Runs a task with a user named in the gRPC context.
	 * @param uid the user id
	 * @param task the task
	 */
	public static void runAs(String uid, Runnable task) {
		Context.current().withValue(CONTEXT_UID, uid).run(task);
	}

	/**
	 * Runs a task with a user named in the gRPC context.
	 * @param uid the user id
	 * @param task the task
	 * @param <T> the result type
	 * @return the task's result
	 * @throws Exception what the task throws
	 */
	public static <T> T callAs(String uid, Callable<T> task) throws Exception {
		return Context.current().withValue(CONTEXT_UID, uid).call(task);
	}

}
