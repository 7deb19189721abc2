package io.github.rpcclient.channel;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * An interceptor that only watches a call's start and close (and may add request headers or
 * replace the closing status). It has no call or listener of its own: {@link CallChainAssembler}
 * fuses observers that are next to each other in a service's chain into one {@link ObservedCall},
 * so a call pays for one call object and one listener however many observers watch it. Used on its
 * own, as a plain {@link ClientInterceptor}, an observer wraps each call by itself.
 * <p>
 * Observers run on the call's own threads (start on the caller's, close on the call's executor),
 * must not block and must not keep per-call state of their own: what they need of a call is on
 * {@link ObservedCall}.
 */
public interface CallObserver extends ClientInterceptor {

	/**
	 * Called as the call starts, outermost observer first, before anything further in the chain.
	 * @param call the call
	 * @param headers its request headers, which may be added to
	 */
	default void onStart(ObservedCall<?, ?> call, Metadata headers) {
	}

	/**
	 * Called once as the call closes, innermost observer first: with the status the caller is about
	 * to see, or with the status of the exception when the call's start threw. An exception thrown
	 * here is logged; the status passes on as it was, to the other observers and the caller.
	 * @param call the call
	 * @param status its status, as the observers further in left it
	 * @return the status to pass outwards: {@code status} or one that replaces it
	 */
	default Status onClose(ObservedCall<?, ?> call, Status status) {
		return status;
	}

	@Override
	default <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
		return new ObservedCall<>(next.newCall(method, callOptions), method, new CallObserver[] { this });
	}

	/**
	 * Fuses observers into one interceptor that makes one {@link ObservedCall} for them all.
	 * @param observers the observers, outermost first
	 * @return the interceptor
	 */
	static ClientInterceptor fuse(CallObserver... observers) {
		CallObserver[] fused = observers.clone();
		return new ClientInterceptor() {

			@Override
			public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
					Channel next) {
				return new ObservedCall<>(next.newCall(method, callOptions), method, fused);
			}

		};
	}

}
