package io.github.rpcclient.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.channel.UnknownServiceException;
import io.github.rpcclient.properties.ServiceProperties;
import io.github.rpcclient.settings.ConfigurationViolation;
import io.github.rpcclient.settings.InvalidServiceConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every invalid setting fails start-up with a report naming the property path, the bad value and
 * the fix, as {@link GrpcClientsFailureAnalyzer} writes it.
 */
class ValidationFailureAnalysisTest {

	private static final String S2 = "grpc-clients.services[2].";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, GrpcClientsAutoConfiguration.class))
		.withPropertyValues("grpc-clients.services[0].name=first", "grpc-clients.services[0].address=127.0.0.1:1",
				"grpc-clients.services[1].name=second", "grpc-clients.services[1].address=127.0.0.1:2",
				"grpc-clients.services[2].name=third", "grpc-clients.services[2].address=127.0.0.1:3");

	static Stream<Arguments> invalidSettings() {
		return Stream.of(
				arguments("missing name", List.of("grpc-clients.services[3].address=127.0.0.1:4"),
						"grpc-clients.services[3].name = (unset): is missing", "give the service a name"),
				arguments("blank name", List.of(S2 + "name="), S2 + "name = '': is missing", "give the service a name"),
				arguments("name with spaces", List.of(S2 + "name=my service"), S2 + "name = 'my service'",
						"use a name such as"),
				arguments("duplicate name", List.of(S2 + "name=first"),
						S2 + "name = 'first': is already the name of grpc-clients.services[0]",
						"give every service a unique name"),
				arguments("address without port", List.of(S2 + "address=localhost"),
						S2 + "address = 'localhost': is not a valid address: it 'localhost' has no port",
						"use host:port, static://"),
				arguments("port out of range", List.of(S2 + "address=localhost:99999"),
						S2 + "address = 'localhost:99999'", "which is not a number from 1 to 65535"),
				arguments("port not a number", List.of(S2 + "address=localhost:http"),
						S2 + "address = 'localhost:http'", "use host:port"),
				arguments("empty address", List.of(S2 + "address="), S2 + "address", "is empty"),
				arguments("unknown scheme", List.of(S2 + "address=consul://catalog/books"),
						S2 + "address = 'consul://catalog/books'", "uses scheme 'consul'"),
				arguments("bad static list", List.of(S2 + "address=static://127.0.0.1:1,127.0.0.1"),
						S2 + "address = 'static://127.0.0.1:1,127.0.0.1'", "'127.0.0.1' has no port"),
				arguments("empty in-process name", List.of(S2 + "address=in-process:"), S2 + "address",
						"has an empty in-process name"),
				arguments("negative timeout", List.of(S2 + "timeout=-1s"), S2 + "timeout", "is negative"),
				arguments("zero connect-timeout", List.of(S2 + "connect-timeout=0s"), S2 + "connect-timeout",
						"is not a positive duration"),
				arguments("negative keepalive time", List.of(S2 + "keepalive.time=-5s"), S2 + "keepalive.time",
						"is negative"),
				arguments("negative grace period", List.of(S2 + "shutdown-grace-period=-1s"),
						S2 + "shutdown-grace-period", "is negative"),
				arguments("zero message size", List.of(S2 + "max-inbound-message-size=0B"),
						S2 + "max-inbound-message-size = '0B'", "use a size such as '4MB'"),
				arguments("negative metadata size", List.of(S2 + "max-inbound-metadata-size=-1KB"),
						S2 + "max-inbound-metadata-size", "is not a positive size"),
				arguments("unknown load-balancing policy", List.of(S2 + "load-balancing-policy=fastest"),
						S2 + "load-balancing-policy = 'fastest': is not a load-balancing policy grpc-java knows",
						"use 'pick_first' or 'round_robin'"),
				arguments("unreadable trust cert",
						List.of(S2 + "tls.enabled=true", S2 + "tls.trust-cert=file:/does/not/exist/ca.pem"),
						S2 + "tls.trust-cert", "/does/not/exist/ca.pem"),
				arguments("cert chain without private key",
						List.of(S2 + "tls.enabled=true", S2 + "tls.cert-chain=classpath:certs/client.pem"),
						S2 + "tls.private-key = (unset): is missing", "set both tls.cert-chain and tls.private-key"),
				arguments("unknown SSL bundle", List.of(S2 + "tls.enabled=true", S2 + "tls.ssl-bundle=nope"),
						S2 + "tls.ssl-bundle = 'nope': is not a configured SSL bundle",
						"spring.ssl.bundle.pem.nope"),
				arguments("bad method name", List.of(S2 + "methods[0].name=GetBook"),
						S2 + "methods[0].name = 'GetBook': is not a full method name", "package.Service/Method"),
				arguments("duplicate method", List.of(S2 + "methods[0].name=a.B/C", S2 + "methods[1].name=a.B/C"),
						S2 + "methods[1].name = 'a.B/C': is listed twice", "merge the two entries"),
				arguments("negative method timeout",
						List.of(S2 + "methods[0].name=a.B/C", S2 + "methods[0].timeout=-2s"),
						S2 + "methods[0].timeout", "is negative"),
				arguments("pods on a non-stateful service",
						List.of(S2 + "pods[0].index=1", S2 + "pods[0].address=127.0.0.1:9"),
						S2 + "pods = '1 pods': are listed for a service that is not stateful",
						"set 'stateful: true' or remove 'pods'"),
				arguments("pod with a bad address",
						List.of(S2 + "stateful=true", S2 + "pods[0].index=1", S2 + "pods[0].address=pod-1"),
						S2 + "pods[0].address = 'pod-1'", "has no port"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidSettings")
	void invalidSettingFailsStartUpNamingPathValueAndFix(String problem, List<String> properties, String expected,
			String fix) {
		this.runner.withPropertyValues(properties.toArray(String[]::new)).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new GrpcClientsFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).as("analysis").isNotNull();
			String report = analysis.getDescription() + "\n" + analysis.getAction();
			assertThat(analysis.getDescription()).startsWith("Invalid gRPC client configuration:");
			assertThat(report).contains(expected).contains(fix);
			assertThat(analysis.getAction()).startsWith("Update your application configuration:");
		});
	}

	@Test
	void everyViolationIsReportedAtOnce() {
		this.runner
			.withPropertyValues("grpc-clients.services[0].address=nowhere", "grpc-clients.services[1].timeout=-1s",
					"grpc-clients.services[2].name=first")
			.run((context) -> {
				FailureAnalysis analysis = new GrpcClientsFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("grpc-clients.services[0].address = 'nowhere'")
					.contains("grpc-clients.services[1].timeout")
					.contains("grpc-clients.services[2].name = 'first'");
				assertThat(analysis.getAction()).contains("grpc-clients.services[0].address: use host:port")
					.contains("grpc-clients.services[1].timeout: use zero or a positive duration")
					.contains("grpc-clients.services[2].name: give every service a unique name");
			});
	}

	@Test
	void invalidDefaultsAreReportedWhereTheyAreSet() {
		this.runner
			.withPropertyValues("grpc-clients.defaults.load-balancing-policy=nearest",
					"grpc-clients.defaults.keepalive.timeout=0s", "grpc-clients.defaults.tls.enabled=true",
					"grpc-clients.defaults.tls.private-key=classpath:certs/client.key")
			.run((context) -> {
				FailureAnalysis analysis = new GrpcClientsFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("grpc-clients.defaults.load-balancing-policy = 'nearest'")
					.contains("grpc-clients.defaults.keepalive.timeout")
					.contains("grpc-clients.defaults.tls.cert-chain = (unset): is missing")
					.doesNotContain("grpc-clients.services[");
			});
	}

	@Test
	void validDefaultsOverriddenBadlyByAServiceAreReportedAtTheService() {
		this.runner.withPropertyValues("grpc-clients.defaults.timeout=5s", "grpc-clients.services[1].timeout=-5s")
			.run((context) -> {
				FailureAnalysis analysis = new GrpcClientsFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("grpc-clients.services[1].timeout")
					.doesNotContain("grpc-clients.defaults");
			});
	}

	@Test
	void otherFailuresAreLeftToOtherAnalyzers() {
		assertThat(new GrpcClientsFailureAnalyzer().analyze(new IllegalStateException("boom"))).isNull();
	}

	@Test
	void runtimeRegistrationIsValidatedTheSameWay() {
		this.runner.run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			List<ConfigurationViolation> violations = new ArrayList<>();
			assertThatExceptionOfType(InvalidServiceConfigurationException.class)
				.isThrownBy(() -> registry.register("late service", "late-host"))
				.satisfies((ex) -> violations.addAll(ex.getViolations()))
				.withMessageContaining("name = 'late service'")
				.withMessageContaining("address = 'late-host': is not a valid address");
			assertThat(violations).extracting(ConfigurationViolation::property)
				.containsExactly("service 'late service'.name", "service 'late service'.address");

			ServiceProperties tls = new ServiceProperties("late", "127.0.0.1:4");
			tls.getTls().setEnabled(true);
			tls.getTls().setSslBundle("missing");
			assertThatExceptionOfType(InvalidServiceConfigurationException.class).isThrownBy(() -> registry.register(tls))
				.withMessageContaining("tls.ssl-bundle = 'missing': is not a configured SSL bundle");
			assertThat(registry.getServiceNames()).doesNotContain("late", "late service");
		});
	}

	@Test
	void runtimeRegistrationOfATakenNameFails() {
		this.runner.run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			assertThatIllegalStateException().isThrownBy(() -> registry.register("first", "127.0.0.1:5"))
				.withMessageContaining("'first' is already registered");
			assertThat(registry.get("first").settings().address().text()).isEqualTo("127.0.0.1:1");
		});
	}

	@Test
	void unknownServiceNameListsTheKnownNames() {
		this.runner.run((context) -> {
			ManagedChannelRegistry registry = context.getBean(ManagedChannelRegistry.class);
			assertThatExceptionOfType(UnknownServiceException.class).isThrownBy(() -> registry.getChannel("fourth"))
				.withMessageContaining("No gRPC service named 'fourth'")
				.withMessageContaining("Known services: [first, second, third]")
				.satisfies((ex) -> assertThat(ex.getServiceName()).isEqualTo("fourth"));
		});
	}

}
