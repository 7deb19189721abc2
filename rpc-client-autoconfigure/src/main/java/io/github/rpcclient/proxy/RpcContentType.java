package io.github.rpcclient.proxy;

import io.github.rpcclient.proxy.wire.ContentType;

/**
 * The kinds of content a call by message id carries.
 */
public enum RpcContentType {

	/** Any number of opaque byte arrays. */
	BYTES(ContentType.CONTENT_TYPE_BYTES),

	/** One UTF-8 JSON text. */
	JSON(ContentType.CONTENT_TYPE_JSON);

	private final ContentType wire;

	RpcContentType(ContentType wire) {
		this.wire = wire;
	}

	/** @return the wire value */
	public ContentType wire() {
		return this.wire;
	}

	/**
	 * @param number a content type number from the wire
	 * @return the content type
	 * @throws RpcProxyException {@link RpcError#UNSUPPORTED_CONTENT_TYPE} for any other number
	 */
	public static RpcContentType fromWire(int number) {
		for (RpcContentType type : values()) {
			if (type.wire.getNumber() == number) {
				return type;
			}
		}
		throw new RpcProxyException(RpcError.UNSUPPORTED_CONTENT_TYPE, "Content type " + number
				+ " is not supported: use " + ContentType.CONTENT_TYPE_BYTES.getNumber() + " (BYTES) or "
				+ ContentType.CONTENT_TYPE_JSON.getNumber() + " (JSON)");
	}

}
