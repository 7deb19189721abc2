package io.github.rpcclient.settings;

/**
 * A start-up failure that explains itself: what went wrong and what the user should do. Reported
 * by {@link GrpcClientsFailureAnalyzer}.
 */
public interface ExplainedFailure {

	/**
	 * @return what went wrong, naming the property, bean or service involved
	 */
	String description();

	/**
	 * @return what to do about it
	 */
	String action();

}
