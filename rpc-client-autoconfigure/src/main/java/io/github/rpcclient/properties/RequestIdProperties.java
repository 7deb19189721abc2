package io.github.rpcclient.properties;

import java.util.ArrayList;
import java.util.List;

/**
 * Propagation of a request id: the id found in the gRPC Context or the logging MDC is sent as a
 * metadata header on every call.
 */
public class RequestIdProperties {

	/**
	 * Whether request ids are propagated.
	 */
	private boolean enabled = true;

	/**
	 * Metadata header that carries the id.
	 */
	private String header = "x-trace-id";

	/**
	 * MDC keys looked up, in order, when the gRPC Context carries no id.
	 */
	private List<String> mdcKeys = new ArrayList<>(List.of("requestId", "traceId"));

	/**
	 * Whether a random UUID is sent when no id is found.
	 */
	private boolean generateIfAbsent = false;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getHeader() {
		return this.header;
	}

	public void setHeader(String header) {
		this.header = header;
	}

	public List<String> getMdcKeys() {
		return this.mdcKeys;
	}

	public void setMdcKeys(List<String> mdcKeys) {
		this.mdcKeys = mdcKeys;
	}

	public boolean isGenerateIfAbsent() {
		return this.generateIfAbsent;
	}

	public void setGenerateIfAbsent(boolean generateIfAbsent) {
		this.generateIfAbsent = generateIfAbsent;
	}

}
