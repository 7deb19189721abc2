package io.github.rpcclient.proxy.server;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The handlers of a router, by message id.
 */
public class RpcHandlerRegistry {

	private final Map<String, RpcMessageHandler> handlers = new ConcurrentHashMap<>();

	/**
	 * Registers the handler of a message id.
	 * @param messageId the message id
	 * @param handler the handler
	 * @return this registry
	 * @throws IllegalStateException if the message id has a handler already
	 */
	public RpcHandlerRegistry register(String messageId, RpcMessageHandler handler) {
		if (messageId == null || messageId.isBlank()) {
			throw new IllegalArgumentException("A handler needs a message id");
		}
		if (this.handlers.putIfAbsent(messageId, handler) != null) {
			throw new IllegalStateException("Message id '" + messageId + "' has a handler already");
		}
		return this;
	}

	/**
	 * @param messageId a message id
	 * @return its handler, or {@code null}
	 */
	public RpcMessageHandler get(String messageId) {
		return this.handlers.get(messageId);
	}

	/** @return the message ids with a handler, sorted */
	public Set<String> messageIds() {
		return new TreeSet<>(this.handlers.keySet());
	}

}
