package io.github.rpcclient.proxy;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsProxyAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.proxy.RouterBackend.Login;
import io.github.rpcclient.proxy.RouterBackend.LoginReply;
import io.github.rpcclient.proxy.server.RpcHandler;
import io.github.rpcclient.proxy.server.RpcHandlerException;
import io.github.rpcclient.proxy.server.RpcHandlerRegistry;
import io.github.rpcclient.proxy.server.RpcRequest;
import io.github.rpcclient.proxy.server.RpcRouterService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The router side as auto-configured: {@code @RpcHandler} bean methods served by the
 * {@link RpcRouterService} bean, on a real server, called through an {@link RpcProxy}.
 */
class RpcHandlerConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, GrpcClientsAutoConfiguration.class,
				GrpcClientsProxyAutoConfiguration.class));

	@Test
	void routerIsOffByDefaultAndTheClientSideIsOn() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(RpcProxyFactory.class).hasSingleBean(RpcProxyStubFactory.class);
			assertThat(context).doesNotHaveBean(RpcRouterService.class).doesNotHaveBean(RpcHandlerRegistry.class);
		});
		this.runner.withPropertyValues("grpc-clients.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RpcProxyFactory.class));
	}

	@Test
	void handlerMethodsAreServedOverBothTransports() throws Exception {
		this.runner.withPropertyValues("grpc-clients.proxy.server.enabled=true", "spring.application.name=router-app")
			.withBean(Handlers.class)
			.run((context) -> {
				assertThat(context.getBean(RpcHandlerRegistry.class).messageIds()).containsExactly("async", "bytes", "login",
						"nothing", "request");
				Server server = NettyServerBuilder
					.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
					.addService(context.getBean(RpcRouterService.class))
					.build()
					.start();
				try {
					context.getBean(ManagedChannelRegistry.class).register("self", "127.0.0.1:" + server.getPort());
					RpcProxy proxy = context.getBean(RpcProxyFactory.class).proxy("self");
					assertThat(proxy.call("login", RpcContent.json(new Login("ann", "pw"))).as(LoginReply.class))
						.isEqualTo(new LoginReply("ann", 7, "t"));
					assertThatExceptionOfType(RpcProxyException.class)
						.isThrownBy(() -> proxy.call("login", RpcContent.json(new Login("ann", "wrong"))))
						.satisfies((ex) -> assertThat(ex.handlerCode()).isEqualTo("BAD_PASSWORD"));
					assertThat(proxy.forUser("u9").call("request", RpcContent.empty()).json())
						.isEqualTo("\"login from router-app for u9\"");
					assertThat(proxy.call("bytes", RpcContent.bytes("ab".getBytes())).bytes().get(0)).isEqualTo("ba".getBytes());
					assertThat(proxy.call("nothing", RpcContent.empty()).bytes()).isEmpty();
					assertThat(proxy.call("async", RpcContent.json("41")).json()).isEqualTo("42");
				}
				finally {
					server.shutdownNow();
				}
			});
	}

	@Test
	void aHandlerMethodWithTwoParametersOrADuplicateMessageIdFailsStartUp() {
		this.runner.withPropertyValues("grpc-clients.proxy.server.enabled=true")
			.withBean(TwoParameters.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("@RpcHandler(\"x\") method")
				.hasMessageContaining("must take at most one parameter"));
		this.runner.withPropertyValues("grpc-clients.proxy.server.enabled=true")
			.withBean(Handlers.class)
			.withBean(Duplicate.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("Message id 'login' has a handler already"));
	}

	static class Handlers {

		@RpcHandler("login")
		LoginReply login(Login login) {
			if ("wrong".equals(login.password())) {
				throw new RpcHandlerException("BAD_PASSWORD", "no");
			}
			return new LoginReply(login.user(), 7, "t");
		}

		@RpcHandler("request")
		String request(RpcRequest request) {
			return "login from " + request.sourceService() + " for " + request.userId();
		}

		@RpcHandler("bytes")
		byte[] reverse(RpcContent content) {
			return new StringBuilder(new String(content.bytes().get(0))).reverse().toString().getBytes();
		}

		@RpcHandler("nothing")
		void nothing() {
		}

		@RpcHandler("async")
		CompletionStage<Integer> async(Integer value) {
			return CompletableFuture.supplyAsync(() -> value + 1);
		}

	}

	static class TwoParameters {

		@RpcHandler("x")
		String x(String a, String b) {
			return a + b;
		}

	}

	static class Duplicate {

		@RpcHandler("login")
		String login() {
			return "";
		}

	}

}
