package io.github.rpcclient.route;

import java.nio.charset.StandardCharsets;

/**
 * The Redis key layout. Every key carries a hash tag ({@code {...}}) so that all keys one script
 * touches hash to the same Redis Cluster slot:
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
		return bytes(this.prefix + ":link:{" + namespace + ":" + uid + "}");
	}

	byte[] pods(String namespace, String service) {
		return bytes(this.prefix + ":pods:{" + namespace + ":" + service + "}");
	}

	byte[] podLinks(String namespace, String service) {
		return bytes(this.prefix + ":podlinks:{" + namespace + ":" + service + "}");
	}

	/** The pub/sub channel where replaced links are announced ({@link LinkChange}). */
	byte[] linkChanges() {
		return bytes(this.prefix + ":link-changes");
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
