package io.github.rpcclient.proxy.server;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as the handler of a message id, served by the {@link RpcRouterService}
 * (with {@code grpc-clients.proxy.server.enabled=true}):
 *
 * <pre class="code">
 * &#64;RpcHandler("login")
 * LoginReply login(LoginRequest request) { ... }          // JSON in, JSON out
 *
 * &#64;RpcHandler("echo")
 * RpcContent echo(RpcRequest request) { return request.content(); }
 * </pre>
 *
 * The method takes nothing, an {@link RpcRequest}, an {@code RpcContent}, or any other type, read
 * from JSON content with the application's ObjectMapper. It returns an {@code RpcContent}, a
 * {@code byte[]} (bytes content), nothing (empty bytes content), a {@code CompletionStage} of any
 * of these (answered when it completes, holding no thread), or any other object, written as JSON
 * (a {@code String} too, as a JSON string: return {@code RpcContent.json(text)} to answer with a
 * JSON text as it is).
 * Throw {@link RpcHandlerException} to answer with an error code and message of your own.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RpcHandler {

	/**
	 * @return the message id the method handles
	 */
	String value();

}
