package io.github.rpcclient.autoconfigure;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.AnnotatedElement;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import io.github.rpcclient.autoconfigure.GrpcJarVersions.GrpcJar;
import io.github.rpcclient.settings.ConfigurationKeysChecker;
import io.github.rpcclient.test.StartupFailures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * What a new user gets wrong first reports itself at start-up, naming the property or the jars and
 * the fix: misspelt keys (with the closest known key), services written as a map, TLS keys while
 * TLS is off, an empty authority override, and grpc-java jars of mixed versions.
 */
@ExtendWith(OutputCaptureExtension.class)
class NewcomerChecksTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, GrpcClientsAutoConfiguration.class))
		.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=127.0.0.1:1");

	private String report(String... properties) {
		String[] text = new String[1];
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis).as("a failure analysis").isNotNull();
			text[0] = analysis.getDescription() + "\n" + analysis.getAction();
			System.out.println(text[0]);
		});
		return text[0];
	}

	@Test
	void misspeltKeysFailWithTheClosestKnownKey() {
		String report = report("grpc-clients.services[0].timout=5s", "grpc-clients.services[0].retry.max-attempt=4",
				"grpc-clients.services[0].adress=127.0.0.1:2", "grpc-clients.defaults.keepalive.tme=10s");
		assertThat(report)
			.contains("grpc-clients.services[0].timout: is not a known key, so it is ignored (did you mean 'timeout'?)")
			.contains("grpc-clients.services[0].retry.max-attempt: is not a known key, so it is ignored (did you mean 'max-attempts'?)")
			.contains("grpc-clients.services[0].adress: is not a known key, so it is ignored (did you mean 'address'?)")
			.contains("grpc-clients.defaults.keepalive.tme: is not a known key, so it is ignored (did you mean 'time'?)")
			.contains("grpc-clients.services[0].timout: rename it to grpc-clients.services[0].timeout");
	}

	@Test
	void servicesWrittenAsAMapFailSayingItIsAList() {
		assertThat(report("grpc-clients.services.orders.address=127.0.0.1:3"))
			.contains("grpc-clients.services.orders: is not read: 'grpc-clients.services' is a list, not a map")
			.contains("grpc-clients.services[0].name: orders");
	}

	@Test
	void unknownKeysOnlyWarnWhenSwitchedToWarn(CapturedOutput output) {
		this.runner.withPropertyValues("grpc-clients.unknown-keys=warn", "grpc-clients.services[0].timout=5s")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output.getAll()).contains("WARN")
			.contains("grpc-clients.services[0].timout: is not a known key, so it is ignored (did you mean 'timeout'?)");
	}

	@Test
	void knownKeysOfEveryKindPass() {
		this.runner
			.withPropertyValues("grpc-clients.services[0].methods[0].name=a.B/C",
					"grpc-clients.services[0].methods[0].retry.retryable-status-codes[0]=UNAVAILABLE",
					"grpc-clients.services[0].retry.retryable-status-codes=UNAVAILABLE,ABORTED",
					"grpc-clients.defaults.tls.enabled=true", "grpc-clients.defaults.tls.authority-override=x.example.com",
					"grpc-clients.services[0].tls.enabled=false", "grpc-clients.request-id.enabled=true",
					"grpc-clients.logging.warn-interval=2s", "grpc-clients.health.transient-failure-status=DOWN")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void everyKeyAnAutoConfigurationConditionReadsIsKnown() throws Exception {
		Map<String, String> keys = new TreeMap<>();
		for (String name : ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader())) {
			if (name.startsWith(getClass().getPackageName() + ".")) {
				conditionKeys(Class.forName(name), keys);
			}
		}
		assertThat(keys).as("keys read by @Conditional...Property").containsKey("grpc-clients.metrics.enabled");
		System.out.println("keys read by conditions: " + keys.keySet());
		assertThat(ConfigurationKeysChecker.check(List.of(new MapConfigurationPropertySource(keys)))).isEmpty();
	}

	private static void conditionKeys(Class<?> type, Map<String, String> keys) {
		List<AnnotatedElement> elements = new java.util.ArrayList<>(List.of(type));
		elements.addAll(List.of(type.getDeclaredMethods()));
		for (AnnotatedElement element : elements) {
			MergedAnnotations annotations = MergedAnnotations.from(element, SearchStrategy.DIRECT);
			Stream.concat(annotations.stream(ConditionalOnBooleanProperty.class),
					annotations.stream(ConditionalOnProperty.class))
				.forEach((condition) -> {
					String prefix = condition.getString("prefix");
					String[] names = condition.getStringArray("name");
					for (String name : (names.length > 0) ? names : condition.getStringArray("value")) {
						keys.put(prefix.isEmpty() ? name : prefix + "." + name, "true");
					}
				});
		}
		for (Class<?> nested : type.getDeclaredClasses()) {
			conditionKeys(nested, keys);
		}
	}

	@Test
	void tlsKeysWhileTlsIsOffFailNamingTheProperty() {
		assertThat(report("grpc-clients.services[0].tls.trust-cert=classpath:ca.pem"))
			.contains("grpc-clients.services[0].tls.trust-cert: is set but TLS is off there "
					+ "('grpc-clients.services[0].tls.enabled' is unset), so the channel would be plaintext")
			.contains("set grpc-clients.services[0].tls.enabled: true, or remove the tls.trust-cert key");
		assertThat(report("grpc-clients.defaults.tls.private-key=classpath:client.key"))
			.contains("grpc-clients.defaults.tls.private-key: is set but TLS is off there");
	}

	@Test
	void emptyAuthorityOverrideFailsNamingTheProperty() {
		assertThat(report("grpc-clients.services[0].tls.enabled=true", "grpc-clients.services[0].tls.authority-override="))
			.contains("grpc-clients.services[0].tls.authority-override = '': is empty");
	}

	@Test
	void mixedGrpcJarVersionsFailWithAReportNamingJarsVersionsAndFix(@TempDir Path dir) throws Exception {
		URL api = jar(dir, "grpc-api-1.79.0.jar", "io.grpc", "1.79.0");
		URL core = jar(dir, "grpc-core-1.83.0.jar", "io.grpc.internal", "1.83.0");
		URL okhttp = jar(dir, "grpc-okhttp-1.82.2.jar", "io.grpc.okhttp", "1.82.2");
		try (URLClassLoader classpath = new URLClassLoader(new URL[] { api, core, okhttp }, null)) {
			List<GrpcJar> jars = GrpcJarVersions.onClasspath(classpath);
			assertThat(jars).extracting(GrpcJar::file)
				.containsExactly("grpc-api-1.79.0.jar", "grpc-core-1.83.0.jar", "grpc-okhttp-1.82.2.jar");
			Thread thread = Thread.currentThread();
			ClassLoader previous = thread.getContextClassLoader();
			thread.setContextClassLoader(classpath);
			FailureAnalysis analysis;
			try {
				analysis = new GrpcClientsFailureAnalyzer().analyze(new IllegalStateException("context failed",
						new NoClassDefFoundError("io/grpc/InternalFeatureFlags")));
			}
			finally {
				thread.setContextClassLoader(previous);
			}
			System.out.println(analysis.getDescription() + "\n" + analysis.getAction());
			assertThat(analysis.getDescription())
				.startsWith("The grpc-java jars on the classpath do not match: grpc-api-1.79.0.jar 1.79.0 with "
						+ "grpc-core-1.83.0.jar 1.83.0.")
				.contains("grpc-api-1.79.0.jar (1.79.0)  <- does not match")
				.endsWith("grpc-okhttp-1.82.2.jar (1.82.2)");
			assertThat(analysis.getAction()).contains("io.grpc:grpc-bom").contains("rpc-client-dependencies")
				.contains("mvn dependency:tree -Dincludes=io.grpc");
		}
		assertThatNoException().as("this build's own grpc jars fit")
			.isThrownBy(() -> GrpcJarVersions.check(GrpcJarVersions.onClasspath(getClass().getClassLoader())));
	}

	private static URL jar(Path dir, String name, String module, String version) throws IOException {
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().putValue("Automatic-Module-Name", module);
		manifest.getMainAttributes().putValue("Implementation-Version", version);
		Path jar = dir.resolve(name);
		try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
			// a manifest is all the check reads
		}
		return jar.toUri().toURL();
	}

}
