package io.github.rpcclient.properties;

import org.springframework.util.unit.DataSize;

/**
 * The request bytes a service's retried and hedged calls may keep to replay them on another
 * attempt, as grpc-java's {@code perRpcBufferLimit} and {@code retryBufferSize}. A call past
 * either limit commits to its current attempt and is not retried or hedged any more.
 */
public class RetryBufferProperties {

	/**
	 * Request bytes one call may keep.
	 */
	private DataSize perCallLimit = DataSize.ofMegabytes(1);

	/**
	 * Request bytes all the service's calls together may keep.
	 */
	private DataSize perServiceLimit = DataSize.ofMegabytes(16);

	public DataSize getPerCallLimit() {
		return this.perCallLimit;
	}

	public void setPerCallLimit(DataSize perCallLimit) {
		this.perCallLimit = perCallLimit;
	}

	public DataSize getPerServiceLimit() {
		return this.perServiceLimit;
	}

	public void setPerServiceLimit(DataSize perServiceLimit) {
		this.perServiceLimit = perServiceLimit;
	}

}
