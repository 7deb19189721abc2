package io.github.rpcclient.properties;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of {@code grpc-clients.services[]}: a named backend service. Every key of
 * {@link ChannelProperties} it leaves unset comes from {@code grpc-clients.defaults}.
 */
public class ServiceProperties extends ChannelProperties {

	/**
	 * Unique name of the service, used by '@GrpcClient("name")', metrics and actuator.
	 */
	private String name;

	/**
	 * Where the service is: 'host:port', 'static://h1:p1,h2:p2', 'dns:///host:port',
	 * 'in-process:name' or 'unix:/path'.
	 */
	private String address;

	/**
	 * Per-method overrides.
	 */
	private List<MethodProperties> methods = new ArrayList<>();

	/**
	 * Whether the service is stateful: every call names a user and goes to that user's pod.
	 */
	private boolean stateful = false;

	/**
	 * Statically known pods of a stateful service.
	 */
	private List<PodProperties> pods = new ArrayList<>();

	/**
	 * Creates a service with the built-in defaults.
	 */
	public ServiceProperties() {
	}

	/**
	 * Creates a service with the built-in defaults, a name and an address.
	 * @param name the service name
	 * @param address the service address
	 */
	public ServiceProperties(String name, String address) {
		this.name = name;
		this.address = address;
	}

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public String getAddress() {
		return this.address;
	}

	public void setAddress(String address) {
		this.address = address;
	}

	public List<MethodProperties> getMethods() {
		return this.methods;
	}

	public void setMethods(List<MethodProperties> methods) {
		this.methods = methods;
	}

	public boolean isStateful() {
		return this.stateful;
	}

	public void setStateful(boolean stateful) {
		this.stateful = stateful;
	}

	public List<PodProperties> getPods() {
		return this.pods;
	}

	public void setPods(List<PodProperties> pods) {
		this.pods = pods;
	}

}
