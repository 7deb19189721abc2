package io.github.rpcclient.resilience;

import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoResponse;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.rpcclient.resilience.ResilienceTestSupport.ECHO;
import static io.github.rpcclient.resilience.ResilienceTestSupport.blocking;
import static io.github.rpcclient.resilience.ResilienceTestSupport.request;
import static io.github.rpcclient.resilience.ResilienceTestSupport.runner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link GrpcFallback} beans turning final failures into responses.
 */
class FallbackTest {

	@RegisterExtension
	final EchoBackendExtension backend = EchoBackendExtension.perTest();


	private ApplicationContextRunner withFallback() {
		return runner(this.backend).withPropertyValues("grpc-clients.services[0].retry.backoff=1ms")
			.withBean("echoFallback", GrpcFallback.class,
					() -> GrpcFallback.<EchoRequest, EchoResponse>of("echo", ECHO,
							(request, status, trailers) -> "none".equals(request.getMessage()) ? null
									: EchoResponse.newBuilder()
										.setMessage("fallback:" + request.getMessage() + ":" + status.getCode())
										.build()));
	}

	@Test
	void finalFailureBecomesTheFallbackResponse() {
		this.backend.service().failNext("Echo", 1, Status.INVALID_ARGUMENT);
		withFallback().run((context) -> {
			assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("fallback:x:INVALID_ARGUMENT");
			assertThat(blocking(context).echo(request("y")).getMessage()).isEqualTo("y");
		});
	}

	@Test
	void fallbackRunsAfterRetriesGaveUp() {
		this.backend.service().failNext("Echo", 3, Status.UNAVAILABLE);
		withFallback().run((context) -> {
			assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("fallback:x:UNAVAILABLE");
			assertThat(this.backend.service().attempts("Echo")).isEqualTo(3);
		});
	}

	@Test
	void fallbackAnswersForAnOpenBreaker() {
		withFallback().run((context) -> {
			context.getBean(CircuitBreakerRegistry.class).circuitBreaker("echo").transitionToOpenState();
			assertThat(blocking(context).echo(request("x")).getMessage()).isEqualTo("fallback:x:UNAVAILABLE");
			assertThat(this.backend.service().attempts("Echo")).isZero();
		});
	}

	@Test
	void nullFromTheFallbackLetsTheFailureThrough() {
		this.backend.service().failNext("Echo", 1, Status.INVALID_ARGUMENT);
		withFallback().run((context) -> assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> blocking(context).echo(request("none")))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT)));
	}

	@Test
	void otherMethodsAndCallsWithoutFallbackFail() {
		this.backend.service().failNext("Slow", 1, Status.INVALID_ARGUMENT);
		this.backend.service().failNext("Echo", 1, Status.INVALID_ARGUMENT);
		withFallback().run((context) -> assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> blocking(context).slow(request("x"))));
		runner(this.backend).run((context) -> assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> blocking(context).echo(request("x"))));
	}

}
