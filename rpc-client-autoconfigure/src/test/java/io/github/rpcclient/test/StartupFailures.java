package io.github.rpcclient.test;

import java.util.List;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the gRPC clients' failure analyzer as Spring Boot finds it (through
 * {@code META-INF/spring.factories}) on a start-up failure.
 */
public final class StartupFailures {

	private static final String ANALYZER = "io.github.rpcclient.autoconfigure.GrpcClientsFailureAnalyzer";

	private StartupFailures() {
	}

	/**
	 * Analyzes a start-up failure.
	 * @param failure the failure of the application context
	 * @return the report, never {@code null}
	 */
	public static FailureAnalysis analyze(Throwable failure) {
		assertThat(failure).as("start-up failure").isNotNull();
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, (type, name, ex) -> {
			});
		FailureAnalyzer ours = analyzers.stream()
			.filter((analyzer) -> analyzer.getClass().getName().equals(ANALYZER))
			.findFirst()
			.orElseThrow(() -> new AssertionError(ANALYZER + " is not registered in META-INF/spring.factories"));
		FailureAnalysis analysis = ours.analyze(failure);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		return analysis;
	}

}
