package io.github.rpcclient.interceptor;

import java.util.Arrays;
import java.util.List;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Call logs a server cannot forge and an outage cannot flood: a status message with line breaks
 * and control characters makes one escaped line; a thousand failures make a bounded number of WARN
 * lines, the next one counting those not logged. (The logging interceptor before fails both:
 * the forged message broke the line after {@code boom}, and 1,000 failures wrote 1,000 WARN lines.)
 */
@ExtendWith(OutputCaptureExtension.class)
class SafeLogsTest {

	private static final String FORGED = "boom\n2030-01-01T00:00:00Z  INFO 1 --- [main] forged : admin logged in\r\u001b[31m\u0007\u2028end";

	@Test
	void statusMessageWithLineBreaksAndControlCharactersIsOneEscapedLine(CapturedOutput output) {
		try (TestBackend backend = TestBackend.start()) {
			runner(backend, "1s").run((context) -> {
				backend.service().failNext("Echo", 1, Status.INTERNAL.withDescription(FORGED));
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> stub(context).echo(request()))
					.satisfies((ex) -> assertThat(ex.getStatus().getDescription()).isEqualTo(FORGED));
				List<String> lines = lines(output, "rpcclient.test.EchoService/Echo -> echo");
				assertThat(lines).hasSize(1);
				System.out.println("Logged: " + lines.get(0));
				assertThat(lines.get(0)).contains(
						"INTERNAL: boom\\n2030-01-01T00:00:00Z  INFO 1 --- [main] forged : admin logged in\\r\\u001b[31m\\u0007\\u2028end");
				assertThat(output.getAll()).doesNotContain("\nforged").doesNotContain("\n2030-01-01T00:00:00Z");
				assertThat(output.getAll()).doesNotContain("\u001b").doesNotContain("\u2028");
			});
		}
	}

	@Test
	void aThousandFailuresInASecondMakeABoundedNumberOfWarnLines(CapturedOutput output) {
		try (TestBackend backend = TestBackend.start()) {
			runner(backend, "1s").run((context) -> {
				EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
				stub.echo(request());
				backend.service().failNext("Echo", 1000, Status.UNAVAILABLE.withDescription("outage"));
				long start = System.nanoTime();
				for (int i = 0; i < 1000; i++) {
					assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> stub.echo(request()));
				}
				double seconds = (System.nanoTime() - start) / 1e9;
				List<String> warnings = lines(output, "WARN").stream().filter((line) -> line.contains("outage")).toList();
				System.out.printf("1000 failures in %.2f s -> %d WARN lines%n", seconds, warnings.size());
				warnings.forEach(System.out::println);
				assertThat(warnings).hasSizeBetween(1, (int) Math.ceil(seconds) + 1);
				if (warnings.size() > 1) {
					assertThat(warnings.get(1)).containsPattern("\\((\\d+) more failures of this method not logged\\)");
				}
			});
		}
	}

	private static ApplicationContextRunner runner(TestBackend backend, String warnInterval) {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo",
					"grpc-clients.services[0].address=" + backend.address(),
					"grpc-clients.services[0].retry.enabled=false",
					"grpc-clients.logging.warn-interval=" + warnInterval);
	}

	private static List<String> lines(CapturedOutput output, String containing) {
		return Arrays.stream(output.getAll().split("\n")).filter((line) -> line.contains(containing)).toList();
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(org.springframework.context.ApplicationContext context) {
		return EchoServiceGrpc.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
	}

	private static EchoRequest request() {
		return EchoRequest.newBuilder().setMessage("x").build();
	}

}
