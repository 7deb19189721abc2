package io.github.rpcclient.sample;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.github.rpcclient.proxy.RpcContent;
import io.github.rpcclient.proxy.RpcProxy;
import io.github.rpcclient.proxy.RpcProxyException;
import io.github.rpcclient.stub.GrpcClient;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST front of calls by message id: {@code router} is stateless (one unary call each), the
 * session pods are stateful (one stream per pod, each user's calls on its pod).
 */
@RestController
class ProxyController {

	@GrpcClient("router")
	private RpcProxy router;

	@GrpcClient("session")
	private RpcProxy sessions;

	/** {@code POST /proxy/echo} with a text body: bytes content there and back. */
	@PostMapping("/proxy/echo")
	Map<String, Object> echo(@RequestBody String text) {
		RpcContent reply = this.router.call("echo", RpcContent.bytes(text.getBytes(StandardCharsets.UTF_8)));
		return Map.of("mode", "stateless", "echo", new String(reply.bytes().get(0), StandardCharsets.UTF_8));
	}

	/** {@code POST /proxy/login} with {@code {"user":..,"password":..}}: typed JSON there and back. */
	@PostMapping("/proxy/login")
	SampleHandlers.LoginReply login(@RequestBody SampleHandlers.LoginRequest login) {
		return this.router.call("login", RpcContent.json(login)).as(SampleHandlers.LoginReply.class);
	}

	/** {@code POST /proxy/sessions/alice/login}: JSON to alice's pod over that pod's stream. */
	@PostMapping("/proxy/sessions/{user}/login")
	Map<?, ?> sessionLogin(@PathVariable String user) {
		return this.sessions.forUser(user).call("login", RpcContent.json(Map.of("user", user))).as(Map.class);
	}

	/** {@code POST /proxy/sessions/alice/echo} with a text body: bytes to alice's pod and back. */
	@PostMapping("/proxy/sessions/{user}/echo")
	Map<String, Object> sessionEcho(@PathVariable String user, @RequestBody String text) {
		RpcContent reply = this.sessions.forUser(user).call("echo", RpcContent.bytes(text.getBytes(StandardCharsets.UTF_8)));
		return Map.of("mode", "stateful", "user", user, "echo", new String(reply.bytes().get(0), StandardCharsets.UTF_8),
				"openStreams", this.sessions.openStreams());
	}

	@ExceptionHandler(RpcProxyException.class)
	ResponseEntity<Map<String, String>> failed(RpcProxyException ex) {
		int status = switch (ex.error()) {
			case HANDLER_ERROR, INVALID_CONTENT, UNSUPPORTED_CONTENT_TYPE, INVALID_MESSAGE_ID, USER_REQUIRED -> 400;
			default -> 503;
		};
		return ResponseEntity.status(status)
			.body(Map.of("error", ex.error().name(), "status", ex.statusCode().name(), "handlerCode",
					String.valueOf(ex.handlerCode()), "message", ex.getMessage()));
	}

}
