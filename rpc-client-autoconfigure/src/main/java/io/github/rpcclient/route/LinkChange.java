package io.github.rpcclient.route;

import org.springframework.lang.Nullable;

/**
 * A replaced link as announced on the link-change channel by {@link RouteScript#SET_LINK_IF_ABSENT}:
 * {@code namespace \n uid \n service \n client id \n pod}. Names cannot contain line feeds
 * (control characters are rejected), so the message parses back unambiguously.
 *
 * @param namespace the namespace
 * @param uid the user
 * @param service the service
 * @param clientId the client instance that wrote the link
 * @param pod the new pod
 */
record LinkChange(String namespace, String uid, String service, String clientId, int pod) {

	static String messagePrefix(String namespace, String uid, String service, String clientId) {
		return namespace + '\n' + uid + '\n' + service + '\n' + clientId + '\n';
	}

	/**
	 * Parses a message.
	 * @param message the message
	 * @return the change, or {@code null} if the message is not one
	 */
	@Nullable
	static LinkChange parse(String message) {
		String[] parts = message.split("\n", -1);
		if (parts.length != 5) {
			return null;
		}
		try {
			return new LinkChange(parts[0], parts[1], parts[2], parts[3], Integer.parseInt(parts[4]));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
