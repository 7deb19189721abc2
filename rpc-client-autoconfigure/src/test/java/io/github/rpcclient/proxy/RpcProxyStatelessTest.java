package io.github.rpcclient.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsProxyAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsResilienceAutoConfiguration;
import io.github.rpcclient.proxy.RouterBackend.Login;
import io.github.rpcclient.proxy.RouterBackend.LoginReply;
import io.github.rpcclient.proxy.wire.CallRequest;
import io.github.rpcclient.proxy.wire.CallResponse;
import io.github.rpcclient.proxy.wire.ContentType;
import io.github.rpcclient.proxy.wire.RouterServiceGrpc;
import io.github.rpcclient.stub.GrpcClient;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot3.retry.autoconfigure.RetryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * RpcProxy calls to a stateless target: one unary {@code Call} each, through the service's chain,
 * to a real {@link io.github.rpcclient.proxy.server.RpcRouterService} on loopback.
 */
class RpcProxyStatelessTest {

	private static RouterBackend backend;

	/** Answers with content type 7 to "unsupported" and with two JSON parts to anything else. */
	private static RouterBackend oddBackend;

	@BeforeAll
	static void start() {
		backend = RouterBackend.start(0);
		oddBackend = RouterBackend.start(new RouterServiceGrpc.RouterServiceImplBase() {

			@Override
			public void call(CallRequest request, StreamObserver<CallResponse> responses) {
				CallResponse.Builder response = CallResponse.newBuilder().setRequestId(request.getRequestId());
				if (request.getMsgId().equals("unsupported")) {
					response.setContentTypeValue(7).addContent(request.getContent(0));
				}
				else {
					response.setContentType(ContentType.CONTENT_TYPE_JSON)
						.addContent(com.google.protobuf.ByteString.copyFromUtf8("{}"))
						.addContent(com.google.protobuf.ByteString.copyFromUtf8("{}"));
				}
				responses.onNext(response.build());
				responses.onCompleted();
			}

		});
	}

	@AfterAll
	static void stop() {
		backend.close();
		oddBackend.close();
	}

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
					RetryAutoConfiguration.class, CircuitBreakerAutoConfiguration.class,
					GrpcClientsResilienceAutoConfiguration.class, GrpcClientsProxyAutoConfiguration.class))
			.withPropertyValues("spring.application.name=caller-app", "grpc-clients.services[0].name=router",
					"grpc-clients.services[0].address=" + backend.address(), "grpc-clients.services[1].name=odd",
					"grpc-clients.services[1].address=" + oddBackend.address());
	}

	@Test
	void bytesAndJsonRoundTripTypedJsonIncluded() {
		runner().run((context) -> {
			RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
			assertThat(proxy.isStateful()).isFalse();
			RpcContent bytes = proxy.call("echo", RpcContent.bytes("a".getBytes(), new byte[] { 0, 1, 2 }, new byte[0]));
			assertThat(bytes.type()).isEqualTo(RpcContentType.BYTES);
			assertThat(bytes.bytes()).containsExactly("a".getBytes(), new byte[] { 0, 1, 2 }, new byte[0]);
			RpcContent json = proxy.call("echo", RpcContent.json("{\"x\":[1,2]}"));
			assertThat(json.type()).isEqualTo(RpcContentType.JSON);
			assertThat(json.json()).isEqualTo("{\"x\":[1,2]}");
			assertThat(json.as(new TypeReference<Map<String, List<Integer>>>() {
			})).isEqualTo(Map.of("x", List.of(1, 2)));
			LoginReply reply = proxy.call("login", RpcContent.json(new Login("alice", "secret"))).as(LoginReply.class);
			assertThat(reply).isEqualTo(new LoginReply("alice", 0, "token-alice"));
			assertThat(proxy.callAsync("echo", RpcContent.json("\"async\"")).get().json()).isEqualTo("\"async\"");
		});
	}

	@Test
	void requestCarriesSourceServiceRequestIdAndUser() {
		runner().run((context) -> {
			RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
			assertThat(proxy.sourceService()).isEqualTo("caller-app");
			Map<?, ?> first = proxy.forUser("u-1").call("whoami", RpcContent.empty()).as(Map.class);
			Map<?, ?> second = proxy.call("whoami", RpcContent.empty()).as(Map.class);
			assertThat(first.get("source")).isEqualTo("caller-app");
			assertThat(first.get("user")).isEqualTo("u-1");
			assertThat(second.get("user")).isEqualTo("");
			assertThat(first.get("requestId")).isNotEqualTo(second.get("requestId"));
		});
		runner().withPropertyValues("grpc-clients.proxy.source-service=gateway").run((context) -> assertThat(
				context.getBean(RpcProxyFactory.class).proxy("router").sourceService()).isEqualTo("gateway"));
	}

	@Test
	void callsGoThroughTheServiceChainRetryAndRequestIdIncluded() {
		runner().withPropertyValues("grpc-clients.services[0].retry.max-attempts=3",
				"grpc-clients.services[0].retry.backoff=10ms", "grpc-clients.request-id.generate-if-absent=true")
			.run((context) -> {
				RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
				int before = backend.calls.get();
				backend.failNext.set(2);
				try {
					assertThat(proxy.call("echo", RpcContent.json("1")).json()).isEqualTo("1");
				}
				finally {
					backend.failNext.set(0);
				}
				assertThat(backend.calls.get() - before).as("attempts").isEqualTo(3);
				assertThat(backend.lastHeaders.get("x-trace-id")).as("request id header").isNotBlank();
			});
	}

	@Test
	void deadlineOfTheCallOrOfTheService() {
		runner().withPropertyValues("grpc-clients.services[0].timeout=300ms").run((context) -> {
			RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> proxy.call("stall", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.CALL_FAILED))
				.withMessageContaining("'stall'").withMessageContaining("'router'");
			long start = System.nanoTime();
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> proxy.call("stall", RpcContent.empty(), Duration.ofMillis(50)))
				.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(300));
		});
	}

	@Test
	void handlerErrorsCarryTheirCodeAndMessage() {
		runner().run((context) -> {
			RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> proxy.call("login", RpcContent.json(new Login("bob", "wrong"))))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.HANDLER_ERROR))
				.satisfies((ex) -> assertThat(ex.handlerCode()).isEqualTo("BAD_PASSWORD"))
				.withMessageContaining("BAD_PASSWORD: wrong password for bob");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> proxy.call("nope", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.handlerCode()).isEqualTo("UNKNOWN_MESSAGE_ID"))
				.withMessageContaining("No handler for message 'nope'").withMessageContaining("login");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> proxy.call("fail", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.handlerCode()).isEqualTo("HANDLER_FAILED"))
				.withMessageContaining("boom");
			// a handler reading bytes content as JSON
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> proxy.call("login", RpcContent.bytes("x".getBytes())))
				.satisfies((ex) -> assertThat(ex.handlerCode()).isEqualTo("INVALID_CONTENT"))
				.withMessageContaining("bytes, not JSON");
		});
	}

	@Test
	void invalidMessageIds() {
		runner().run((context) -> {
			RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
			int before = backend.calls.get();
			for (String msgId : new String[] { null, "", "  ", "x".repeat(257), "a\nb" }) {
				assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> proxy.call(msgId, RpcContent.empty()))
					.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.INVALID_MESSAGE_ID))
					.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
					.withMessageContaining("The message id");
			}
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> proxy.call("x".repeat(257), RpcContent.empty()))
				.withMessageContaining("257 characters long, more than 256");
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> proxy.call("x".repeat(256), RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.handlerCode()).as("256 characters are sent").isEqualTo("UNKNOWN_MESSAGE_ID"));
			assertThat(backend.calls.get() - before).as("calls sent").isEqualTo(1);
		});
	}

	@Test
	void contentThatDoesNotMatchItsType() {
		runner().run((context) -> {
			RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
			RpcContent bytes = proxy.call("echo", RpcContent.bytes("{}".getBytes()));
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(bytes::json)
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.INVALID_CONTENT))
				.withMessageContaining("The content is bytes, not JSON");
			RpcContent json = proxy.call("echo", RpcContent.json("{\"user\": 42"));
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> json.as(Login.class))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.INVALID_CONTENT))
				.withMessageContaining("JSON content does not map to " + Login.class.getName());
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(json::bytes)
				.withMessageContaining("The content is JSON, not bytes");
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> RpcContent.of(ContentType.CONTENT_TYPE_JSON_VALUE, List.of(new byte[] { (byte) 0xC3 })))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.INVALID_CONTENT))
				.withMessageContaining("not valid UTF-8");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> RpcContent.bytes((byte[]) null))
				.withMessageContaining("part 0 of bytes content is null");
			Object unwritable = new Object() {
				@SuppressWarnings("unused")
				public Object getSelf() {
					return this;
				}
			};
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> proxy.call("echo", RpcContent.json(unwritable)))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.INVALID_CONTENT))
				.withMessageContaining("as JSON");
			// a response with two JSON texts
			RpcProxy odd = context.getBean(RpcProxyFactory.class).proxy("odd");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> odd.call("two", RpcContent.json("1")))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.INVALID_CONTENT))
				.withMessageContaining("JSON content must be exactly one text, but has 2 parts");
		});
	}

	@Test
	void unsupportedContentTypes() {
		runner().run((context) -> {
			RpcProxy odd = context.getBean(RpcProxyFactory.class).proxy("odd");
			assertThatExceptionOfType(RpcProxyException.class)
				.isThrownBy(() -> odd.call("unsupported", RpcContent.bytes("x".getBytes())))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.UNSUPPORTED_CONTENT_TYPE))
				.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
				.withMessageContaining("Content type 7 is not supported");
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> RpcContent.of(0, List.of()))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.UNSUPPORTED_CONTENT_TYPE))
				.withMessageContaining("Content type 0 is not supported");
			// the router answers a request of an unsupported type with that error
			CallResponse response = RouterServiceGrpc
				.newBlockingStub(context.getBean(io.github.rpcclient.channel.ManagedChannelRegistry.class).getCallChannel("router"))
				.call(CallRequest.newBuilder().setRequestId("r1").setMsgId("echo").setContentTypeValue(9).build());
			assertThat(response.getRequestId()).isEqualTo("r1");
			assertThat(response.getErrorCode()).isEqualTo("UNSUPPORTED_CONTENT_TYPE");
			assertThat(response.getErrorMessage()).contains("Content type 9 is not supported");
		});
	}

	@Test
	void closeTwiceThenCallsFailWithProxyClosed() {
		runner().run((context) -> {
			RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
			proxy.call("echo", RpcContent.empty());
			proxy.close();
			proxy.close();
			assertThat(proxy.isClosed()).isTrue();
			assertThatExceptionOfType(RpcProxyException.class).isThrownBy(() -> proxy.call("echo", RpcContent.empty()))
				.satisfies((ex) -> assertThat(ex.error()).isEqualTo(RpcError.PROXY_CLOSED))
				.withMessage("[PROXY_CLOSED] The RPC proxy of 'router' is closed");
			CompletableFuture<RpcContent> async = proxy.callAsync("echo", RpcContent.empty());
			assertThat(async).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(RpcProxyException.class,
						(ex) -> assertThat(ex.error()).isEqualTo(RpcError.PROXY_CLOSED));
			// the service's channel stays open for stubs and other proxies
			assertThat(context.getBean(RpcProxyFactory.class).proxy("router").call("echo", RpcContent.json("2")).json())
				.isEqualTo("2");
		});
	}

	@Test
	void asyncCallbacksRunOnPoolThreadsNotTransportThreads() {
		runner().run((context) -> {
			RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("router");
			// A dependent attached after the future completed runs on the attaching thread (plain
			// CompletableFuture semantics), so only a call still pending once its dependent is
			// attached tells which thread completes it ("slow" answers after 50 ms; a machine stall
			// longer than that only makes the loop try again).
			for (int attempt = 0; attempt < 20; attempt++) {
				CompletableFuture<RpcContent> call = proxy.callAsync("slow", RpcContent.json("1"));
				CompletableFuture<String> thread = call.thenApply((content) -> Thread.currentThread().getName());
				if (!call.isDone()) {
					assertThat(thread.get(5, TimeUnit.SECONDS)).startsWith("grpc-clients-callback-");
					return;
				}
				thread.get(5, TimeUnit.SECONDS);
			}
			throw new AssertionError("Every call completed before its dependent was attached");
		});
	}

	@Test
	void injectedWithGrpcClientAndInterceptors() {
		runner().withBean(Injected.class).run((context) -> {
			Injected injected = context.getBean(Injected.class);
			assertThat(injected.proxy.serviceName()).isEqualTo("router");
			assertThat(injected.proxy.call("echo", RpcContent.bytes("hi".getBytes(StandardCharsets.UTF_8))).bytes().get(0))
				.isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
		});
	}

	static class Injected {

		@GrpcClient("router")
		RpcProxy proxy;

	}

}
