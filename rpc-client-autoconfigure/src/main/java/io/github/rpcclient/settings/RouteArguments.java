package io.github.rpcclient.settings;

/**
 * Input rules of the stateful routing operations and settings: names (namespace, uid, service)
 * and pod indexes, checked before anything reaches Redis.
 */
public final class RouteArguments {

	/** The longest namespace, uid or service name. */
	public static final int MAX_LENGTH = 256;

	private RouteArguments() {
	}

	/**
	 * Checks a namespace, uid or service name: present, not blank, at most 256 characters and no
	 * control characters.
	 * @param parameter the parameter's name, for the message
	 * @param value the value
	 * @return the value
	 * @throws IllegalArgumentException naming the parameter
	 */
	public static String name(String parameter, String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(parameter + " must not be blank");
		}
		if (value.length() > MAX_LENGTH) {
			throw new IllegalArgumentException(
					parameter + " must be at most " + MAX_LENGTH + " characters, but has " + value.length());
		}
		for (int i = 0; i < value.length(); i++) {
			if (Character.isISOControl(value.charAt(i))) {
				throw new IllegalArgumentException(parameter + " must not contain control characters");
			}
		}
		return value;
	}

	/**
	 * Checks a pod index.
	 * @param parameter the parameter's name, for the message
	 * @param index the index
	 * @return the index
	 * @throws IllegalArgumentException if it is below 1
	 */
	public static int podIndex(String parameter, int index) {
		if (index < 1) {
			throw new IllegalArgumentException(parameter + " must be 1 or more, but is " + index);
		}
		return index;
	}

}
