package io.github.rpcclient.interceptor;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.EchoBackendExtension;
import io.github.rpcclient.test.StartupFailures;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Request ids reach the server in a header, from the MDC or {@link RequestIdContext}; calls are
 * logged without payloads.
 */
@ExtendWith(OutputCaptureExtension.class)
class RequestIdAndLoggingTest {

	@RegisterExtension
	static final EchoBackendExtension backend = new EchoBackendExtension(9);

	@AfterEach
	void clearMdc() {
		MDC.clear();
	}

	private static ApplicationContextRunner runner(String... properties) {
		return backend.runner(properties);
	}

	@Test
	void requestIdFromTheMdcArrivesInXTraceId() {
		runner().run((context) -> {
			MDC.put("requestId", "req-1");
			assertThat(echo(context)).isEqualTo("req-1");
			MDC.clear();
			MDC.put("traceId", "trace-2");
			assertThat(echo(context)).isEqualTo("trace-2");
			MDC.put("requestId", "req-3");
			assertThat(echo(context)).as("requestId is looked up before traceId").isEqualTo("req-3");
		});
	}

	@Test
	void requestIdFromTheGrpcContextWinsOverTheMdc() {
		runner().run((context) -> {
			MDC.put("requestId", "from-mdc");
			assertThat(RequestIdContext.callWith("from-context", () -> echo(context))).isEqualTo("from-context");
			String[] seen = new String[1];
			RequestIdContext.runWith("run-with", () -> seen[0] = echo(context));
			assertThat(seen[0]).isEqualTo("run-with");
		});
	}

	@Test
	void withoutAnIdNoHeaderIsSentUnlessGenerationIsOn() {
		runner().run((context) -> assertThat(echo(context)).isEmpty());
		runner("grpc-clients.request-id.generate-if-absent=true").run((context) -> {
			String generated = echo(context);
			assertThat(UUID.fromString(generated)).isNotNull();
			assertThat(echo(context)).isNotEqualTo(generated);
			MDC.put("requestId", "kept");
			assertThat(echo(context)).isEqualTo("kept");
		});
	}

	@Test
	void headerNameAndMdcKeysAreConfigurable() {
		runner("grpc-clients.request-id.header=x-request-id", "grpc-clients.request-id.mdc-keys=correlationId")
			.run((context) -> {
				MDC.put("correlationId", "corr-1");
				MDC.put("requestId", "ignored");
				backend.service().headers().clear();
				assertThat(echo(context)).as("nothing in x-trace-id").isEmpty();
				assertThat(lastHeaders().get(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER)))
					.isEqualTo("corr-1");
			});
	}

	@Test
	void anInvalidHeaderNameFailsStartupNamingTheProperty() {
		runner("grpc-clients.request-id.header=trace id").run((context) -> {
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("grpc-clients.request-id.header = 'trace id'")
				.contains("is not a valid metadata header name");
			assertThat(analysis.getAction()).contains("x-request-id");
		});
		runner("grpc-clients.request-id.header=x-trace-bin").run((context) -> assertThat(StartupFailures.analyze(context.getStartupFailure())
			.getDescription()).contains("grpc-clients.request-id.header = 'x-trace-bin'"));
	}

	@Test
	void propagationCanBeSwitchedOff() {
		runner("grpc-clients.request-id.enabled=false").run((context) -> {
			MDC.put("requestId", "req-1");
			assertThat(echo(context)).isEmpty();
		});
	}

	@Test
	void failedCallIsLoggedAtWarnWithMethodServiceStatusAndDurationButNoPayload(CapturedOutput output) {
		runner().run((context) -> {
			backend.service().failNext("Echo", 1, Status.INTERNAL.withDescription("disk on fire"));
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> stub(context)
				.echo(EchoRequest.newBuilder().setMessage("secret-payload-4711").build()));
		});
		String line = output.getOut()
			.lines()
			.filter((candidate) -> candidate.contains("io.github.rpcclient.calls") && candidate.contains("INTERNAL"))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no call log line in:\n" + output.getOut()));
		assertThat(line).contains("WARN")
			.contains("gRPC rpcclient.test.EchoService/Echo -> echo (" + backend.address() + ") INTERNAL: disk on fire in ")
			.containsPattern("in \\d+\\.\\d ms");
		assertThat(output.getAll()).doesNotContain("secret-payload-4711");
	}

	@Test
	void clientErrorsAreOutcomesNotIncidentsAndAreLoggedAtDebugOnly(CapturedOutput output) {
		LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
		logging.setLogLevel(LoggingClientInterceptor.LOGGER_NAME, LogLevel.DEBUG);
		try {
			runner().run((context) -> {
				backend.service().failNext("Echo", 1, Status.NOT_FOUND.withDescription("no such book"));
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> stub(context).echo(request()));
			});
		}
		finally {
			logging.setLogLevel(LoggingClientInterceptor.LOGGER_NAME, null);
		}
		assertThat(output.getOut().lines().filter((line) -> line.contains("NOT_FOUND: no such book")))
			.singleElement()
			.satisfies((line) -> assertThat(line).contains("DEBUG").doesNotContain("WARN"));
	}

	@Test
	void loggingCanBeSwitchedOff(CapturedOutput output) {
		runner("grpc-clients.logging.enabled=false").run((context) -> {
			backend.service().failNext("Echo", 1, Status.NOT_FOUND.withDescription("quiet failure"));
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> stub(context).echo(request()));
		});
		assertThat(output.getAll()).doesNotContain("quiet failure");
	}

	private static String echo(AssertableApplicationContext context) {
		return stub(context).echo(request()).getRequestId();
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(AssertableApplicationContext context) {
		return EchoServiceGrpc.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
	}

	private static EchoRequest request() {
		return EchoRequest.newBuilder().setMessage("id").build();
	}

	private static Metadata lastHeaders() {
		List<Metadata> all = new ArrayList<>(backend.service().headers());
		assertThat(all).as("requests received").isNotEmpty();
		return all.get(all.size() - 1);
	}

}
