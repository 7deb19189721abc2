package io.github.rpcclient.interop;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.channel.FailingClientCall;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.CompressorRegistry;
import io.grpc.DecompressorRegistry;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolver;
import io.grpc.Status;

/**
 * The {@link ManagedChannel} that grpc-java's {@code AbstractInteropTest} builds its stubs on, made
 * of the channel of stubs injected with {@code @GrpcClient}: every call goes to that channel (the
 * starter's whole call chain in front of the service's own {@code ManagedChannel}). Shutting this
 * wrapper down works as on a real channel for the calls made through it (no new calls after
 * {@link #shutdown()}, in-flight calls cancelled by {@link #shutdownNow()}), and leaves the
 * service's channel, which the Spring context owns, alone.
 */
final class InjectedStubChannel extends ManagedChannel {

	private final Channel callChannel;

	private final Set<ClientCall<?, ?>> calls = ConcurrentHashMap.newKeySet();

	private final CountDownLatch terminated = new CountDownLatch(1);

	private volatile boolean shutdown;

	/**
	 * @param callChannel the channel of the injected stubs ({@code stub.getChannel()})
	 */
	InjectedStubChannel(Channel callChannel) {
		this.callChannel = callChannel;
	}

	/** @return the channel of the injected stubs, which every call goes to */
	Channel callChannel() {
		return this.callChannel;
	}

	@Override
	public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions callOptions) {
		if (this.shutdown) {
			return new FailingClientCall<>(Status.UNAVAILABLE.withDescription("Channel shutdown invoked"),
					callOptions.getExecutor());
		}
		return new TrackedCall<>(this.callChannel.newCall(method, callOptions));
	}

	@Override
	public String authority() {
		return this.callChannel.authority();
	}

	@Override
	public ManagedChannel shutdown() {
		this.shutdown = true;
		terminateIfIdle();
		return this;
	}

	@Override
	public ManagedChannel shutdownNow() {
		shutdown();
		for (ClientCall<?, ?> call : this.calls) {
			call.cancel("Channel shutdownNow invoked", null);
		}
		return this;
	}

	@Override
	public boolean isShutdown() {
		return this.shutdown;
	}

	@Override
	public boolean isTerminated() {
		return this.terminated.getCount() == 0;
	}

	@Override
	public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
		return this.terminated.await(timeout, unit);
	}

	private void terminateIfIdle() {
		if (this.shutdown && this.calls.isEmpty()) {
			this.terminated.countDown();
		}
	}

	/** A call of this wrapper, counted from its start to its close. */
	private final class TrackedCall<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {

		TrackedCall(ClientCall<Q, R> call) {
			super(call);
		}

		@Override
		public void start(Listener<R> listener, Metadata headers) {
			InjectedStubChannel.this.calls.add(this);
			try {
				super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {

					@Override
					public void onClose(Status status, Metadata trailers) {
						try {
							super.onClose(status, trailers);
						}
						finally {
							closed();
						}
					}

				}, headers);
			}
			catch (RuntimeException | Error ex) {
				closed();
				throw ex;
			}
		}

		private void closed() {
			InjectedStubChannel.this.calls.remove(this);
			terminateIfIdle();
		}

	}

	/**
	 * What {@code AbstractInteropTest.createChannelBuilder()} returns: {@link #build()} gives a new
	 * wrapper of the injected stubs' channel. The channel is configured by {@code grpc-clients.*}
	 * properties, so the builder takes no settings, with one exception: {@link #enableRetry()} (used
	 * by the case {@code emptyUnaryWithRetriableStream}) is accepted, since the injected channel
	 * retries already, through the starter's retry.
	 */
	static final class Builder extends ManagedChannelBuilder<Builder> {

		private final Channel callChannel;

		Builder(Channel callChannel) {
			this.callChannel = callChannel;
		}

		@Override
		public Builder enableRetry() {
			return this;
		}

		@Override
		public ManagedChannel build() {
			return new InjectedStubChannel(this.callChannel);
		}

		@Override
		public Builder directExecutor() {
			throw unsupported("directExecutor");
		}

		@Override
		public Builder executor(Executor executor) {
			throw unsupported("executor");
		}

		@Override
		public Builder intercept(List<ClientInterceptor> interceptors) {
			throw unsupported("intercept");
		}

		@Override
		public Builder intercept(ClientInterceptor... interceptors) {
			throw unsupported("intercept");
		}

		@Override
		public Builder userAgent(String userAgent) {
			throw unsupported("userAgent");
		}

		@Override
		public Builder overrideAuthority(String authority) {
			throw unsupported("overrideAuthority");
		}

		@Override
		@SuppressWarnings("deprecation")
		public Builder nameResolverFactory(NameResolver.Factory resolverFactory) {
			throw unsupported("nameResolverFactory");
		}

		@Override
		public Builder decompressorRegistry(DecompressorRegistry registry) {
			throw unsupported("decompressorRegistry");
		}

		@Override
		public Builder compressorRegistry(CompressorRegistry registry) {
			throw unsupported("compressorRegistry");
		}

		@Override
		public Builder idleTimeout(long value, TimeUnit unit) {
			throw unsupported("idleTimeout");
		}

		private static UnsupportedOperationException unsupported(String method) {
			return new UnsupportedOperationException(method
					+ "(): the injected stubs' channel is configured by grpc-clients.* properties, not by this builder");
		}

	}

}
