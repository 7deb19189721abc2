package io.github.rpcclient.stub;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.UnknownServiceException;
import io.github.rpcclient.test.StartupFailures;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link GrpcClient @GrpcClient} injection into setters, superclass fields and {@link Channel}
 * fields, per-injection interceptors, {@link GrpcClientFactory} for constructor and {@code @Bean}
 * injection, and the start-up failures of injections that cannot be satisfied.
 */
class InjectionTest {

	static final Metadata.Key<String> TAG = Metadata.Key.of("x-tag", Metadata.ASCII_STRING_MARSHALLER);

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension(3);

	private final ApplicationContextRunner runner = backend.runner();

	@Test
	void setterMethodsSuperclassFieldsAndChannelsAreInjected() {
		this.runner.withBean(SubClient.class).run((context) -> {
			SubClient client = context.getBean(SubClient.class);
			Channel callChannel = context.getBean(ManagedChannelRegistry.class).getCallChannel("echo");
			assertThat(client.inherited).as("superclass field").isNotNull();
			assertThat(client.inherited.getChannel()).isSameAs(callChannel);
			assertThat(client.viaSetter).as("setter").isNotNull();
			assertThat(client.viaSetter.getChannel()).isSameAs(callChannel);
			assertThat(client.channel).isSameAs(callChannel);
			assertThat(client.inherited.echo(request()).getPod()).isEqualTo(3);
			assertThat(client.viaSetter.echo(request()).get(5, TimeUnit.SECONDS).getPod()).isEqualTo(3);
			assertThat(EchoServiceGrpc.newBlockingStub(client.channel).echo(request()).getPod()).isEqualTo(3);
		});
	}

	@Test
	void perInjectionInterceptorsRunInOrderForThatInjectionOnly() {
		this.runner.withBean(TaggingInterceptor.class).withBean(TaggedClient.class).run((context) -> {
			TaggedClient client = context.getBean(TaggedClient.class);
			TaggingInterceptor bean = context.getBean(TaggingInterceptor.class);

			client.tagged.echo(request());
			assertThat(bean.calls).as("the interceptor bean was used").hasValue(1);
			assertThat(lastHeaders().getAll(TAG)).containsExactly("bean", "new");

			client.plain.echo(request());
			assertThat(lastHeaders().containsKey(TAG)).isFalse();
			assertThat(bean.calls).hasValue(1);
		});
	}

	@Test
	void factorySuppliesStubsForConstructorAndBeanInjection() {
		this.runner.withUserConfiguration(StubConfiguration.class).withBean(ConstructorClient.class).run((context) -> {
			assertThat(context.getBean(EchoServiceGrpc.EchoServiceBlockingStub.class).echo(request()).getPod())
				.isEqualTo(3);
			ConstructorClient client = context.getBean(ConstructorClient.class);
			assertThat(client.stub.echo(request()).getPod()).isEqualTo(3);
			assertThat(lastHeaders().getAll(TAG)).containsExactly("new");

			GrpcClientFactory factory = context.getBean(GrpcClientFactory.class);
			assertThatExceptionOfType(UnknownServiceException.class)
				.isThrownBy(() -> factory.stub("nope", EchoServiceGrpc.EchoServiceBlockingStub.class))
				.withMessageContaining("Known services: [echo]");
			assertThatIllegalArgumentException().isThrownBy(() -> factory.stub("echo", String.class))
				.withMessageContaining("No StubFactory supports java.lang.String");
		});
	}

	@Test
	void unknownServiceFailsStartUpNamingBeanFieldAndConfiguredServices() {
		this.runner.withBean("unknownServiceClient", UnknownServiceClient.class).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription())
				.contains("Bean 'unknownServiceClient' field 'books' (declared in " + UnknownServiceClient.class.getName()
						+ ") asks for @GrpcClient(\"book-service\"), but no such service is configured.")
				.contains("Configured services: [echo]");
			assertThat(analysis.getAction()).contains("Add a service named 'book-service' under grpc-clients.services[]");
		});
	}

	@Test
	void unsupportedTypeFailsStartUpNamingBeanAndMember() {
		this.runner.withBean("unsupportedTypeClient", UnsupportedTypeClient.class).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription())
				.contains("Bean 'unsupportedTypeClient' method 'setName' (declared in "
						+ UnsupportedTypeClient.class.getName() + ") has type java.lang.String")
				.contains("which @GrpcClient cannot inject");
			assertThat(analysis.getAction()).contains("stub class generated by protoc-gen-grpc-java")
				.contains("io.grpc.Channel")
				.contains("StubFactory");
		});
	}

	private static Metadata lastHeaders() {
		List<Metadata> all = new ArrayList<>(backend.service().headers());
		assertThat(all).as("requests received").isNotEmpty();
		return all.get(all.size() - 1);
	}

	private static EchoRequest request() {
		return EchoRequest.newBuilder().setMessage("inject").build();
	}

	static class BaseClient {

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceBlockingStub inherited;

	}

	static class SubClient extends BaseClient {

		EchoServiceGrpc.EchoServiceFutureStub viaSetter;

		@GrpcClient("echo")
		Channel channel;

		@GrpcClient("echo")
		void setFuture(EchoServiceGrpc.EchoServiceFutureStub stub) {
			this.viaSetter = stub;
		}

	}

	static class TaggedClient {

		@GrpcClient(value = "echo", interceptors = { TaggingInterceptor.class, NewTaggingInterceptor.class })
		EchoServiceGrpc.EchoServiceBlockingStub tagged;

		@GrpcClient("echo")
		EchoServiceGrpc.EchoServiceBlockingStub plain;

	}

	/** Adds an {@code x-tag} header: "bean" (it is registered as a bean). */
	static class TaggingInterceptor implements ClientInterceptor {

		final AtomicInteger calls = new AtomicInteger();

		private final String tag;

		TaggingInterceptor() {
			this("bean");
		}

		TaggingInterceptor(String tag) {
			this.tag = tag;
		}

		@Override
		public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
				Channel next) {
			this.calls.incrementAndGet();
			return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {

				@Override
				public void start(Listener<R> listener, Metadata headers) {
					headers.put(TAG, TaggingInterceptor.this.tag);
					super.start(listener, headers);
				}

			};
		}

	}

	/** Adds an {@code x-tag} header: "new" (no bean of this type, so a new instance is made). */
	static class NewTaggingInterceptor extends TaggingInterceptor {

		NewTaggingInterceptor() {
			super("new");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StubConfiguration {

		@Bean
		EchoServiceGrpc.EchoServiceBlockingStub echoStub(GrpcClientFactory factory) {
			return factory.stub("echo", EchoServiceGrpc.EchoServiceBlockingStub.class);
		}

	}

	static class ConstructorClient {

		final EchoServiceGrpc.EchoServiceBlockingStub stub;

		ConstructorClient(GrpcClientFactory factory) {
			this.stub = factory.stub("echo", EchoServiceGrpc.EchoServiceBlockingStub.class,
					new NewTaggingInterceptor());
		}

	}

	static class UnknownServiceClient {

		@GrpcClient("book-service")
		EchoServiceGrpc.EchoServiceBlockingStub books;

	}

	static class UnsupportedTypeClient {

		@GrpcClient("echo")
		void setName(String name) {
		}

	}

}
