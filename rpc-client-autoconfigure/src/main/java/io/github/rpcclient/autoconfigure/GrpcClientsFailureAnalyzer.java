package io.github.rpcclient.autoconfigure;

import io.github.rpcclient.settings.ExplainedFailure;
import io.github.rpcclient.settings.GrpcClientStartupException;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns an {@link ExplainedFailure} anywhere in a start-up failure's causes into a report that
 * names the property or bean and the fix; and a {@link LinkageError} naming an {@code io.grpc} class
 * ({@code NoClassDefFoundError}, {@code NoSuchMethodError}) into the report of
 * {@link GrpcJarVersions} when the grpc-java jars are of mixed versions.
 */
class GrpcClientsFailureAnalyzer implements FailureAnalyzer {

	@Override
	public FailureAnalysis analyze(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ExplainedFailure explained) {
				return new FailureAnalysis(explained.description(), explained.action(), cause);
			}
		}
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof LinkageError && String.valueOf(cause.getMessage()).replace('.', '/').contains("io/grpc/")) {
				try {
					GrpcJarVersions.check(GrpcJarVersions.onClasspath(classLoader()));
				}
				catch (GrpcClientStartupException mismatch) {
					return new FailureAnalysis(mismatch.description(), mismatch.action(), failure);
				}
			}
		}
		return null;
	}

	private ClassLoader classLoader() {
		ClassLoader context = Thread.currentThread().getContextClassLoader();
		return (context != null) ? context : getClass().getClassLoader();
	}

}
