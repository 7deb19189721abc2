package io.github.rpcclient.resilience;

import io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot3.retry.autoconfigure.RetryAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.autoconfigure.GrpcClientsResilienceAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

/**
 * Shared set-up of the resilience tests: the gRPC clients and Resilience4j's own Spring Boot
 * auto-configuration, one service named "echo" on a test backend.
 */
final class ResilienceTestSupport {

	static final String ECHO = "rpcclient.test.EchoService/Echo";

	private ResilienceTestSupport() {
	}

	static ApplicationContextRunner runner(EchoBackendExtension backend) {
		return withResilience(backend.runner());
	}

	/**
	 * @param address the address of service "echo"
	 * @return a runner with the clients, Resilience4j and service "echo" at the address
	 */
	static ApplicationContextRunner runner(String address) {
		return withResilience(new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=" + address));
	}

	private static ApplicationContextRunner withResilience(ApplicationContextRunner runner) {
		return runner.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class,
				CircuitBreakerAutoConfiguration.class, GrpcClientsResilienceAutoConfiguration.class));
	}

	static EchoServiceGrpc.EchoServiceBlockingStub blocking(ApplicationContext context) {
		return EchoServiceGrpc.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
	}

	static EchoServiceGrpc.EchoServiceFutureStub future(ApplicationContext context) {
		return EchoServiceGrpc.newFutureStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
	}

	static EchoServiceGrpc.EchoServiceStub async(ApplicationContext context) {
		return EchoServiceGrpc.newStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
	}

	static EchoRequest request(String message) {
		return EchoRequest.newBuilder().setMessage(message).build();
	}

}
