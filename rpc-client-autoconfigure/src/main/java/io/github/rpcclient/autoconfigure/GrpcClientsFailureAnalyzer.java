package io.github.rpcclient.autoconfigure;

import io.github.rpcclient.settings.ExplainedFailure;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns an {@link ExplainedFailure} anywhere in a start-up failure's causes into a report that
 * names the property or bean and the fix.
 */
class GrpcClientsFailureAnalyzer implements FailureAnalyzer {

	@Override
	public FailureAnalysis analyze(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ExplainedFailure explained) {
				return new FailureAnalysis(explained.description(), explained.action(), cause);
			}
		}
		return null;
	}

}
