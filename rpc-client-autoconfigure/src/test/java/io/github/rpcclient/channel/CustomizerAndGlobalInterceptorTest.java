package io.github.rpcclient.channel;

import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.settings.ServiceSettings;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.StartupFailures;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GrpcChannelCustomizer} beans (in order, and restricted to named services) and
 * {@link GrpcGlobalClientInterceptor @GrpcGlobalClientInterceptor} beans (on a class and on a
 * {@code @Bean} method, in order) applied to every channel.
 */
class CustomizerAndGlobalInterceptorTest {

	static final Metadata.Key<String> CHAIN = Metadata.Key.of("x-chain", Metadata.ASCII_STRING_MARSHALLER);

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension();


	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=a", "grpc-clients.services[0].address=" + backend.address(),
					"grpc-clients.services[1].name=b", "grpc-clients.services[1].address=" + backend.address());
	}

	@Test
	void customizersAreAppliedInOrderAndForServicesOnlyToNamedOnes() {
		runner().withUserConfiguration(CustomizerConfiguration.class).run((context) -> {
			List<String> calls = context.getBean(CustomizerConfiguration.class).calls;
			assertThat(calls).containsExactly("first:a", "second:a", "only-b:b", "first:b", "second:b");
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			EchoServiceGrpc.newBlockingStub(registry.getCallChannel("b")).echo(request());
			assertThat(lastHeaders().get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER)))
				.startsWith("customized-b");
			EchoServiceGrpc.newBlockingStub(registry.getCallChannel("a")).echo(request());
			assertThat(lastHeaders().get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER)))
				.doesNotStartWith("customized-b");
		});
	}

	@Test
	void customizersAreCalledOnlyForTheBuilderTypeTheyDeclare() {
		runner().withPropertyValues("grpc-clients.services[2].name=local", "grpc-clients.services[2].address=in-process:x")
			.withUserConfiguration(TypedCustomizerConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				List<String> calls = context.getBean(TypedCustomizerConfiguration.class).calls;
				assertThat(calls).containsExactlyInAnyOrder("netty-class:a", "netty-lambda:a", "any:a", "netty-class:b",
						"netty-lambda:b", "any:b", "in-process:local", "any:local");
			});
	}

	@Test
	void globalInterceptorsOnClassesAndBeanMethodsApplyToEveryChannelInOrder() {
		runner().withBean(AnnotatedInterceptor.class).withUserConfiguration(InterceptorConfiguration.class).run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			for (String service : List.of("a", "b")) {
				EchoServiceGrpc.newBlockingStub(registry.getCallChannel(service)).echo(request());
				assertThat(lastHeaders().getAll(CHAIN)).as("interceptors of service %s", service)
					.containsExactly("bean-method-ordered-10", "class-ordered-20", "bean-method-unordered");
			}
		});
	}

	@Test
	void globalAnnotationOnANonInterceptorFailsStartUp() {
		runner().withBean("notAnInterceptor", NotAnInterceptor.class).run((context) -> {
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Bean 'notAnInterceptor' is marked @GrpcGlobalClientInterceptor")
				.contains("not an io.grpc.ClientInterceptor");
			assertThat(analysis.getAction()).contains("implement io.grpc.ClientInterceptor");
		});
	}

	private static Metadata lastHeaders() {
		List<Metadata> all = new ArrayList<>(backend.service().headers());
		assertThat(all).as("requests received").isNotEmpty();
		return all.get(all.size() - 1);
	}

	private static EchoRequest request() {
		return EchoRequest.newBuilder().setMessage("custom").build();
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		final List<String> calls = new ArrayList<>();

		@Bean
		GrpcChannelCustomizer second() {
			return new OrderedCustomizer(this.calls, "second", 2);
		}

		@Bean
		GrpcChannelCustomizer first() {
			return new OrderedCustomizer(this.calls, "first", 1);
		}

		@Bean
		@Order(0)
		GrpcChannelCustomizer onlyB() {
			return GrpcChannelCustomizer.forServices((service, builder) -> {
				this.calls.add("only-b:" + service.name());
				builder.userAgent("customized-b");
			}, "b");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TypedCustomizerConfiguration {

		final List<String> calls = new ArrayList<>();

		@Bean
		NettyOnly nettyClass() {
			return new NettyOnly(this.calls);
		}

		@Bean
		GrpcChannelCustomizer<NettyChannelBuilder> nettyLambda() {
			return (service, builder) -> {
				builder.flowControlWindow(1 << 20);
				this.calls.add("netty-lambda:" + service.name());
			};
		}

		@Bean
		GrpcChannelCustomizer<InProcessChannelBuilder> inProcess() {
			return (service, builder) -> {
				builder.propagateCauseWithStatus(true);
				this.calls.add("in-process:" + service.name());
			};
		}

		@Bean
		GrpcChannelCustomizer<ManagedChannelBuilder<?>> any() {
			return (service, builder) -> this.calls.add("any:" + service.name());
		}

	}

	record NettyOnly(List<String> calls) implements GrpcChannelCustomizer<NettyChannelBuilder> {

		@Override
		public void customize(ServiceSettings service, NettyChannelBuilder builder) {
			this.calls.add("netty-class:" + service.name());
		}

	}

	record OrderedCustomizer(List<String> calls, String label, int order)
			implements GrpcChannelCustomizer<ManagedChannelBuilder<?>>, Ordered {

		@Override
		public void customize(ServiceSettings service, ManagedChannelBuilder<?> builder) {
			this.calls.add(this.label + ":" + service.name());
		}

		@Override
		public int getOrder() {
			return this.order;
		}

	}

	@GrpcGlobalClientInterceptor
	@Order(20)
	static class AnnotatedInterceptor extends ChainInterceptor {

		AnnotatedInterceptor() {
			super("class-ordered-20");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InterceptorConfiguration {

		@Bean
		@GrpcGlobalClientInterceptor
		ChainInterceptor unordered() {
			return new ChainInterceptor("bean-method-unordered");
		}

		@Bean
		@GrpcGlobalClientInterceptor
		@Order(10)
		ChainInterceptor ordered() {
			return new ChainInterceptor("bean-method-ordered-10");
		}

		@Bean
		ChainInterceptor notGlobal() {
			return new ChainInterceptor("not-global");
		}

	}

	/** Appends its label to the {@code x-chain} header. */
	static class ChainInterceptor implements ClientInterceptor {

		private final String label;

		ChainInterceptor(String label) {
			this.label = label;
		}

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
				Channel next) {
			return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {

				@Override
				public void start(Listener<R> listener, Metadata headers) {
					headers.put(CHAIN, ChainInterceptor.this.label);
					super.start(listener, headers);
				}

			};
		}

	}

	@GrpcGlobalClientInterceptor
	static class NotAnInterceptor {

	}

}
