package io.github.rpcclient.route;

import java.nio.charset.StandardCharsets;

/**
 * The Redis key layout. Every key carries a hash tag ({@code {...}}) so that all keys one script
 * touches hash to the same Redis Cluster slot. Namespaces, uids and service names are escaped
 * ({@code %} &rarr; {@code %25}, {@code :} &rarr; {@code %3A}, <code>{</code> &rarr; {@code %7B},
 * <code>}</code> &rarr; {@code %7D}), so that no two (namespace, name) pairs share a key and no
 * name can open or close a hash tag; names without those characters appear as they are. The prefix
 * cannot contain braces (checked at start-up).
 * <ul>
 * <li>{@code {prefix}:link:{ns:uid}}: hash service &rarr; pod index, one per user, expiring as a
 * whole after {@code link-ttl} without use;</li>
 * <li>{@code {prefix}:pods:{ns:service}}: hash pod index &rarr; {@code state|load|heartbeat
 * deadline (Redis ms)|address};</li>
 * <li>{@code {prefix}:podlinks:{ns:service}}: hash pod index &rarr; approximate number of links.</li>
 * </ul>
 */
final class RouteKeys {

	private final String prefix;

	RouteKeys(String prefix) {
		this.prefix = prefix;
	}

	byte[] link(String namespace, String uid) {
		return bytes(this.prefix + ":link:{" + escape(namespace) + ":" + escape(uid) + "}");
	}

	byte[] pods(String namespace, String service) {
		return bytes(this.prefix + ":pods:{" + escape(namespace) + ":" + escape(service) + "}");
	}

	byte[] podLinks(String namespace, String service) {
		return bytes(this.prefix + ":podlinks:{" + escape(namespace) + ":" + escape(service) + "}");
	}

	/** The pub/sub channel where replaced links are announced ({@link LinkChange}). */
	byte[] linkChanges() {
		return bytes(this.prefix + ":link-changes");
	}

	/**
	 * Escapes a name for use inside a key.
	 * @param name the name
	 * @return the name with {@code % : { }} percent-encoded
	 */
	static String escape(String name) {
		StringBuilder escaped = null;
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			String replacement = switch (c) {
				case '%' -> "%25";
				case ':' -> "%3A";
				case '{' -> "%7B";
				case '}' -> "%7D";
				default -> null;
			};
			if (replacement != null && escaped == null) {
				escaped = new StringBuilder(name.length() + 8).append(name, 0, i);
			}
			if (escaped != null) {
				if (replacement != null) {
					escaped.append(replacement);
				}
				else {
					escaped.append(c);
				}
			}
		}
		return (escaped != null) ? escaped.toString() : name;
	}

	static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] bytes(long value) {
		return bytes(Long.toString(value));
	}

	static String string(Object value) {
		return (value instanceof byte[] raw) ? new String(raw, StandardCharsets.UTF_8) : String.valueOf(value);
	}

}
