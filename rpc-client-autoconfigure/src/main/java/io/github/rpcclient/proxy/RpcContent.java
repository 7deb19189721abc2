package io.github.rpcclient.proxy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.github.rpcclient.proxy.wire.ContentType;

/**
 * The content of a call by message id, or of its response: {@link RpcContentType#BYTES bytes} (a
 * list of byte arrays) or {@link RpcContentType#JSON JSON} (one text). JSON can be built from and
 * read into typed objects; that goes through the application's Jackson {@code ObjectMapper} (the
 * one of the proxy that sends or received the content):
 *
 * <pre class="code">
 * LoginReply reply = proxy.call("login", RpcContent.json(new Login("alice", "secret"))).as(LoginReply.class);
 * </pre>
 *
 * Byte arrays are not copied when content is built; do not change them until the call is sent.
 * Content that does not match its type (JSON that is not one UTF-8 text, JSON that does not map to
 * the type asked for, bytes read as JSON) fails with {@link RpcError#INVALID_CONTENT}.
 */
public final class RpcContent {

	private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper();

	private final RpcContentType type;

	private final List<byte[]> parts;

	private final String json;

	private final Object value;

	private final ObjectMapper mapper;

	private RpcContent(RpcContentType type, List<byte[]> parts, String json, Object value, ObjectMapper mapper) {
		this.type = type;
		this.parts = parts;
		this.json = json;
		this.value = value;
		this.mapper = mapper;
	}

	/**
	 * @return bytes content with no parts
	 */
	public static RpcContent empty() {
		return new RpcContent(RpcContentType.BYTES, List.of(), null, null, null);
	}

	/**
	 * @param first the first byte array ({@link #empty()} has none)
	 * @param more the others, in order
	 * @return bytes content
	 */
	public static RpcContent bytes(byte[] first, byte[]... more) {
		invalidIfNull(more, "bytes content");
		List<byte[]> parts = new ArrayList<>(1 + more.length);
		parts.add(first);
		parts.addAll(Arrays.asList(more));
		return bytes(parts);
	}

	/**
	 * @param parts the byte arrays, in order
	 * @return bytes content
	 */
	public static RpcContent bytes(List<byte[]> parts) {
		invalidIfNull(parts, "bytes content");
		for (int i = 0; i < parts.size(); i++) {
			invalidIfNull(parts.get(i), "part " + i + " of bytes content");
		}
		return new RpcContent(RpcContentType.BYTES, List.copyOf(parts), null, null, null);
	}

	/**
	 * @param json a JSON text, sent as it is
	 * @return JSON content
	 */
	public static RpcContent json(String json) {
		return new RpcContent(RpcContentType.JSON, null, invalidIfNull(json, "JSON content"), null, null);
	}

	/**
	 * @param value an object, written as JSON by the proxy's ObjectMapper when the call is sent (a
	 * {@code String} is taken as a JSON text: use {@link #json(String)})
	 * @return JSON content
	 */
	public static RpcContent json(Object value) {
		if (value instanceof String text) {
			return json(text);
		}
		return new RpcContent(RpcContentType.JSON, null, null, value, null);
	}

	/**
	 * Content as it travels: a content type number and byte arrays (for routers that forward
	 * content they received).
	 * @param contentType the content type number ({@link ContentType})
	 * @param parts the byte arrays
	 * @return the content
	 * @throws RpcProxyException {@link RpcError#UNSUPPORTED_CONTENT_TYPE} for an unknown type,
	 * {@link RpcError#INVALID_CONTENT} for JSON that is not one UTF-8 text
	 */
	public static RpcContent of(int contentType, List<byte[]> parts) {
		RpcContentType type = RpcContentType.fromWire(contentType);
		if (type == RpcContentType.BYTES) {
			return bytes(parts);
		}
		invalidIfNull(parts, "JSON content");
		List<ByteString> wire = new ArrayList<>(parts.size());
		parts.forEach((part) -> wire.add(ByteString.copyFrom(invalidIfNull(part, "JSON content"))));
		return fromWire(contentType, wire, null);
	}

	/**
	 * Reads content from the wire.
	 * @param contentType the content type number
	 * @param content the byte strings
	 * @param mapper the ObjectMapper {@link #as} uses, or {@code null} for a plain one
	 * @return the content
	 * @throws RpcProxyException {@link RpcError#UNSUPPORTED_CONTENT_TYPE} for an unknown type,
	 * {@link RpcError#INVALID_CONTENT} for JSON that is not one UTF-8 text
	 */
	public static RpcContent fromWire(int contentType, List<ByteString> content, ObjectMapper mapper) {
		RpcContentType type = RpcContentType.fromWire(contentType);
		if (type == RpcContentType.BYTES) {
			List<byte[]> parts = new ArrayList<>(content.size());
			content.forEach((part) -> parts.add(part.toByteArray()));
			return new RpcContent(type, List.copyOf(parts), null, null, mapper);
		}
		if (content.size() != 1) {
			throw new RpcProxyException(RpcError.INVALID_CONTENT,
					"JSON content must be exactly one text, but has " + content.size() + " parts");
		}
		if (!content.get(0).isValidUtf8()) {
			throw new RpcProxyException(RpcError.INVALID_CONTENT, "JSON content is not valid UTF-8");
		}
		return new RpcContent(type, null, content.get(0).toStringUtf8(), null, mapper);
	}

	/**
	 * Writes the content for the wire.
	 * @param mapper the ObjectMapper that writes typed JSON, or {@code null} for a plain one
	 * @return the byte strings
	 * @throws RpcProxyException {@link RpcError#INVALID_CONTENT} if a typed value cannot be written as JSON
	 */
	public List<ByteString> toWire(ObjectMapper mapper) {
		if (this.type == RpcContentType.BYTES) {
			if (this.parts.size() == 1) {
				return List.of(ByteString.copyFrom(this.parts.get(0)));
			}
			List<ByteString> wire = new ArrayList<>(this.parts.size());
			this.parts.forEach((part) -> wire.add(ByteString.copyFrom(part)));
			return wire;
		}
		return List.of(ByteString.copyFromUtf8(jsonText(mapper)));
	}

	/** @return the content type */
	public RpcContentType type() {
		return this.type;
	}

	/**
	 * @return the byte arrays of bytes content (the list cannot be changed)
	 * @throws RpcProxyException {@link RpcError#INVALID_CONTENT} for JSON content
	 */
	public List<byte[]> bytes() {
		if (this.type != RpcContentType.BYTES) {
			throw new RpcProxyException(RpcError.INVALID_CONTENT, "The content is JSON, not bytes: read it with json() or as(type)");
		}
		return this.parts;
	}

	/**
	 * @return the JSON text of JSON content
	 * @throws RpcProxyException {@link RpcError#INVALID_CONTENT} for bytes content
	 */
	public String json() {
		return jsonText(this.mapper);
	}

	/**
	 * Reads JSON content as an object.
	 * @param type the type to read
	 * @param <T> the type
	 * @return the object
	 * @throws RpcProxyException {@link RpcError#INVALID_CONTENT} for bytes content, or JSON that does
	 * not map to the type
	 */
	public <T> T as(Class<T> type) {
		return read(mapper(this.mapper).constructType(type));
	}

	/**
	 * Reads JSON content as an object of a generic type.
	 * @param type the type to read, such as {@code new TypeReference<List<Item>>() {}}
	 * @param <T> the type
	 * @return the object
	 * @throws RpcProxyException {@link RpcError#INVALID_CONTENT} for bytes content, or JSON that does
	 * not map to the type
	 */
	public <T> T as(TypeReference<T> type) {
		return read(mapper(this.mapper).constructType(type));
	}

	private <T> T read(JavaType type) {
		String text = jsonText(this.mapper);
		try {
			return mapper(this.mapper).readValue(text, type);
		}
		catch (IOException ex) {
			throw new RpcProxyException(RpcError.INVALID_CONTENT,
					"JSON content does not map to " + type.toCanonical() + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * @param mapper the ObjectMapper {@link #as} should use
	 * @return this content, reading typed JSON with that mapper
	 */
	public RpcContent withMapper(ObjectMapper mapper) {
		return new RpcContent(this.type, this.parts, this.json, this.value, mapper);
	}

	private String jsonText(ObjectMapper mapper) {
		if (this.type != RpcContentType.JSON) {
			throw new RpcProxyException(RpcError.INVALID_CONTENT, "The content is bytes, not JSON: read it with bytes()");
		}
		if (this.json != null) {
			return this.json;
		}
		try {
			return mapper(mapper).writeValueAsString(this.value);
		}
		catch (IOException ex) {
			throw new RpcProxyException(RpcError.INVALID_CONTENT, "Cannot write "
					+ ((this.value != null) ? this.value.getClass().getName() : "null") + " as JSON: " + ex.getMessage(), ex);
		}
	}

	private static ObjectMapper mapper(ObjectMapper mapper) {
		return (mapper != null) ? mapper : DEFAULT_MAPPER;
	}

	private static <T> T invalidIfNull(T value, String what) {
		if (value == null) {
			throw new RpcProxyException(RpcError.INVALID_CONTENT, what + " is null");
		}
		return value;
	}

	@Override
	public String toString() {
		if (this.type == RpcContentType.BYTES) {
			return "RpcContent[BYTES, " + this.parts.size() + " part(s)]";
		}
		String text = (this.json != null) ? this.json : String.valueOf(this.value);
		return "RpcContent[JSON, " + ((text.length() > 200) ? text.substring(0, 200) + "…" : text) + "]";
	}

}
