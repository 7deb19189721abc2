package io.github.rpcclient.resilience;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.rpcclient.channel.GrpcGlobalClientInterceptor;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import static io.github.rpcclient.resilience.ResilienceTestSupport.async;
import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.future;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The retry path by gRFC A6 and grpc-java's {@code RetriableStream}, against a real Netty backend
 * that fails on purpose: commit on response headers, server pushback, replay buffer limits,
 * transport closures, the attributes of a closed call, and the threads attempts and callbacks run
 * on.
 */
class RetrySemanticsTest {

	private static final String TIMER_THREAD = "grpc-clients-retry-timer";

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();

	private final ExecutorService callerExecutor = Executors.newFixedThreadPool(2, (task) -> new Thread(task, "app-executor"));

	@BeforeEach
	void resetTransportFault() {
		TransportFault.reset();
	}

	@AfterEach
	void stopExecutor() {
		this.callerExecutor.shutdownNow();
	}

	private ApplicationContextRunner runner() {
		return ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].circuit-breaker.enabled=false",
					"grpc-clients.services[0].retry.backoff=20ms", "grpc-clients.services[0].retry.jitter=0",
					"grpc-clients.services[0].retry.budget.enabled=false");
	}

	@Test
	void attemptThatReceivedHeadersIsCommittedAndNotRetried() {
		this.backend.service().faultNext("Echo", 2, true, Status.UNAVAILABLE, new Metadata());
		runner().run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
		});
	}

	@Test
	void attemptWithoutHeadersIsStillRetried() {
		this.backend.service().faultNext("Echo", 2, false, Status.UNAVAILABLE, new Metadata());
		runner().run((context) -> {
			assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(3);
		});
	}

	@Test
	void validPushbackReplacesTheBackoff() {
		this.backend.service().faultNext("Echo", 2, false, Status.UNAVAILABLE, pushback("10"));
		runner().withPropertyValues("grpc-clients.services[0].retry.backoff=30s",
				"grpc-clients.services[0].retry.max-backoff=30s")
			.run((context) -> {
				// With the configured 30 s backoff the two retries could not end within the deadline.
				assertThat(blocking(context).withDeadlineAfter(10, TimeUnit.SECONDS).echo(request("x")).getMessage())
					.isEqualTo("x");
				assertThat(this.backend.service().attempts("Echo")).isEqualTo(3);
			});
	}

	@Test
	void validPushbackRetriesEvenACodeThatIsNotRetryable() {
		this.backend.service().faultNext("Echo", 1, false, Status.RESOURCE_EXHAUSTED, pushback("5"));
		runner().run((context) -> {
			assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(2);
		});
	}

	@Test
	void negativeOrMalformedPushbackStopsRetrying() {
		this.backend.service().faultNext("Echo", 1, false, Status.UNAVAILABLE, pushback("-1"));
		this.backend.service().faultNext("Echo", 1, false, Status.UNAVAILABLE, pushback("soon"));
		runner().run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("y")));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(2);
		});
	}

	@Test
	void requestLargerThanThePerCallBufferCommitsTheCall() {
		this.backend.service().faultNext("Echo", 1, false, Status.UNAVAILABLE, new Metadata());
		runner().withPropertyValues("grpc-clients.services[0].retry-buffer.per-call-limit=1KB").run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> blocking(context).echo(request("x".repeat(2048))));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
			this.backend.service().faultNext("Echo", 1, false, Status.UNAVAILABLE, new Metadata());
			assertThat(blocking(context).echo(request("small")).getMessage()).isEqualTo("small");
			assertThat(this.backend.service().attempts("Echo")).as("a small request is still retried").isEqualTo(3);
		});
	}

	@Test
	void requestsOverThePerServiceBufferCommitAndTheBytesAreGivenBack() {
		this.backend.service().faultNext("Echo", 1, false, Status.UNAVAILABLE, new Metadata());
		runner().withPropertyValues("grpc-clients.services[0].retry-buffer.per-service-limit=1KB").run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> blocking(context).echo(request("x".repeat(2048))));
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
			for (int i = 0; i < 50; i++) {
				assertThat(blocking(context).echo(request("y".repeat(500))).getMessage()).hasSize(500);
			}
			this.backend.service().faultNext("Echo", 1, false, Status.UNAVAILABLE, new Metadata());
			assertThat(blocking(context).echo(request("y".repeat(500))).getMessage()).hasSize(500);
			assertThat(this.backend.service().attempts("Echo")).as("bytes of finished calls were given back")
				.isEqualTo(1 + 50 + 2);
		});
	}

	@Test
	void transportClosureBeforeHeadersIsRetriedLikeUnavailable() {
		// grpc-java #10120: a vanished peer can surface as UNKNOWN "channel closed".
		TransportFault.script.add(Status.UNKNOWN.withDescription("channel closed").withCause(new ClosedChannelException()));
		runner().withUserConfiguration(TransportFaultConfiguration.class).run((context) -> {
			assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("x");
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(1);
			assertThat(TransportFault.attempts.get()).isEqualTo(2);
		});
		TransportFault.reset();
		TransportFault.script.add(Status.UNKNOWN.withDescription("application bug"));
		runner().withUserConfiguration(TransportFaultConfiguration.class).run((context) -> {
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));
			assertThat(TransportFault.attempts.get()).as("an UNKNOWN without a transport cause").isEqualTo(1);
		});
		TransportFault.reset();
	}

	@Test
	void closedCallKeepsTheAttributesOfItsAttempt() {
		AtomicReference<Object> remote = new AtomicReference<>();
		ClientInterceptor readAtClose = new ClientInterceptor() {

			@Override
			public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
				ClientCall<Q, R> call = next.newCall(method, options);
				return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {

					@Override
					public void start(Listener<R> listener, Metadata headers) {
						super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {

							@Override
							public void onClose(Status status, Metadata trailers) {
								remote.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
								super.onClose(status, trailers);
							}

						}, headers);
					}

				};
			}

		};
		this.backend.service().failNext("Echo", 1, Status.UNAVAILABLE);
		runner().run((context) -> {
			blocking(context).withInterceptors(readAtClose).echo(request("x"));
			assertThat(remote.get()).isInstanceOf(InetSocketAddress.class);
			assertThat(((InetSocketAddress) remote.get()).getPort()).isEqualTo(port());
		});
	}

	@Test
	void retriesStartOnTheCallsExecutorAndCallbacksNeverRunOnTheTimer() {
		this.backend.service().failNext("Echo", 2, Status.UNAVAILABLE);
		runner().withUserConfiguration(TransportFaultConfiguration.class).run((context) -> {
			CompletableFuture<String> callback = new CompletableFuture<>();
			async(context).withExecutor(this.callerExecutor).echo(request("x"), observer(callback));
			assertThat(callback.get(10, TimeUnit.SECONDS)).isEqualTo("app-executor");
			assertThat(TransportFault.threads).hasSize(3);
			assertThat(TransportFault.threads).allMatch((name) -> !name.startsWith(TIMER_THREAD));
			assertThat(TransportFault.threads.stream().skip(1)).as("retried attempts")
				.allMatch((name) -> name.equals("app-executor"));

			TransportFault.reset();
			this.backend.service().failNext("Echo", 2, Status.UNAVAILABLE);
			String caller = Thread.currentThread().getName();
			assertThat(blocking(context).echo(request("y")).getMessage()).isEqualTo("y");
			assertThat(TransportFault.threads).as("a blocking stub's attempts run on the caller's thread")
				.containsOnly(caller);

			TransportFault.reset();
			this.backend.service().failNext("Echo", 2, Status.UNAVAILABLE);
			assertThat(future(context).echo(request("z")).get(10, TimeUnit.SECONDS).getMessage()).isEqualTo("z");
			assertThat(TransportFault.threads).allMatch((name) -> !name.startsWith(TIMER_THREAD));
		});
		TransportFault.reset();
	}

	@Test
	void refusedCallIsClosedOutsideTheCallersFrame() {
		ThreadLocal<Boolean> insideCall = ThreadLocal.withInitial(() -> false);
		ResilienceTestSupport.runner(this.backend)
			.withPropertyValues("grpc-clients.services[0].retry.enabled=false")
			.run((context) -> {
				CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo");
				breaker.transitionToForcedOpenState();
				CompletableFuture<Boolean> closedInside = new CompletableFuture<>();
				insideCall.set(true);
				try {
					async(context).echo(request("x"), new StreamObserver<>() {

						@Override
						public void onNext(EchoResponse value) {
						}

						@Override
						public void onError(Throwable error) {
							closedInside.complete(insideCall.get());
						}

						@Override
						public void onCompleted() {
							closedInside.complete(insideCall.get());
						}

					});
				}
				finally {
					insideCall.set(false);
				}
				assertThat(closedInside.get(10, TimeUnit.SECONDS)).as("onError ran inside the stub call").isFalse();
			});
	}

	@Test
	void attemptThatFailsToStartEndsTheCallWithInternalAndIsCancelled() {
		this.backend.service().failNext("Echo", 1, Status.UNAVAILABLE);
		runner().withUserConfiguration(TransportFaultConfiguration.class).run((context) -> {
			TransportFault.throwOnAttempt.set(2);
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> blocking(context).echo(request("x")))
				.satisfies((ex) -> {
					assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
					assertThat(ex.getStatus().getCause()).hasMessage("attempt 2 refused by an interceptor");
				});
			assertThat(TransportFault.cancelledUnstarted.get()).as("the attempt that failed to start was cancelled")
				.isEqualTo(1);
			assertThat(blocking(context).echo(request("y")).getMessage()).isEqualTo("y");
		});
		TransportFault.reset();
	}

	private int port() {
		String address = this.backend.address();
		return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
	}

	private static Metadata pushback(String value) {
		Metadata trailers = new Metadata();
		trailers.put(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER), value);
		return trailers;
	}

	private static StreamObserver<EchoResponse> observer(CompletableFuture<String> callbackThread) {
		return new StreamObserver<>() {

			@Override
			public void onNext(EchoResponse value) {
			}

			@Override
			public void onError(Throwable error) {
				callbackThread.completeExceptionally(error);
			}

			@Override
			public void onCompleted() {
				callbackThread.complete(Thread.currentThread().getName());
			}

		};
	}

	@Configuration(proxyBeanMethods = false)
	static class TransportFaultConfiguration {

		@Bean
		@GrpcGlobalClientInterceptor
		TransportFault transportFault() {
			return new TransportFault();
		}

	}

	/**
	 * A global interceptor, per attempt, closest to the network: records the thread each attempt
	 * starts on, and can fail attempts as a transport would, or throw from {@code start}.
	 */
	static class TransportFault implements ClientInterceptor, Ordered {

		static final Queue<Status> script = new ConcurrentLinkedQueue<>();

		static final List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

		static final AtomicInteger attempts = new AtomicInteger();

		static final AtomicInteger throwOnAttempt = new AtomicInteger();

		static final AtomicInteger cancelledUnstarted = new AtomicInteger();

		static void reset() {
			script.clear();
			threads.clear();
			attempts.set(0);
			throwOnAttempt.set(0);
			cancelledUnstarted.set(0);
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
			return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {

				private boolean started;

				private boolean faulted;

				@Override
				public void start(Listener<R> listener, Metadata headers) {
					int attempt = attempts.incrementAndGet();
					threads.add(Thread.currentThread().getName());
					if (throwOnAttempt.get() == attempt) {
						throw new IllegalStateException("attempt " + attempt + " refused by an interceptor");
					}
					this.started = true;
					Status fault = script.poll();
					if (fault != null) {
						// As a transport does: the attempt ends on the call's executor.
						this.faulted = true;
						super.cancel("failed by the test", null);
						Executor executor = (options.getExecutor() != null) ? options.getExecutor() : ForkJoinPool.commonPool();
						executor.execute(() -> listener.onClose(fault, new Metadata()));
						return;
					}
					super.start(listener, headers);
				}

				@Override
				public void request(int numMessages) {
					if (!this.faulted) {
						super.request(numMessages);
					}
				}

				@Override
				public void sendMessage(Q message) {
					if (!this.faulted) {
						super.sendMessage(message);
					}
				}

				@Override
				public void halfClose() {
					if (!this.faulted) {
						super.halfClose();
					}
				}

				@Override
				public void cancel(String message, Throwable cause) {
					if (!this.started) {
						cancelledUnstarted.incrementAndGet();
					}
					super.cancel(message, cause);
				}

			};
		}

	}

}
