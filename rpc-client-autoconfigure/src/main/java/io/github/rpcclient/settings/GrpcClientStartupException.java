package io.github.rpcclient.settings;

/**
 * Thrown when the gRPC clients cannot start: a {@code @GrpcClient} injection that cannot be
 * satisfied, or a {@code connect: required} service that is not reachable.
 */
public class GrpcClientStartupException extends IllegalStateException implements ExplainedFailure {

	private final String description;

	private final String action;

	/**
	 * Creates the exception.
	 * @param description what went wrong
	 * @param action what to do about it
	 */
	public GrpcClientStartupException(String description, String action) {
		super(description + " " + action);
		this.description = description;
		this.action = action;
	}

	@Override
	public String description() {
		return this.description;
	}

	@Override
	public String action() {
		return this.action;
	}

}
