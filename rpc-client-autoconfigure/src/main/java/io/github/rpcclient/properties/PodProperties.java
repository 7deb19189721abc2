package io.github.rpcclient.properties;

/**
 * One statically configured pod of a stateful service.
 */
public class PodProperties {

	/**
	 * Pod index, 1 or more, unique within the service. Links between users and pods name it.
	 */
	private int index;

	/**
	 * Address of the pod, in any form a service address takes.
	 */
	private String address;

	public int getIndex() {
		return this.index;
	}

	public void setIndex(int index) {
		this.index = index;
	}

	public String getAddress() {
		return this.address;
	}

	public void setAddress(String address) {
		this.address = address;
	}

}
