package io.github.rpcclient.sample;

import io.github.rpcclient.proxy.RpcContent;
import io.github.rpcclient.proxy.server.RpcHandler;
import io.github.rpcclient.proxy.server.RpcHandlerException;
import io.github.rpcclient.proxy.server.RpcRequest;

import org.springframework.stereotype.Component;

/**
 * The handlers of the sample's own router (grpc-clients.proxy.server.enabled=true): what other
 * services reach by message id through an RpcProxy.
 */
@Component
class SampleHandlers {

	/** Bytes in, the same bytes out. */
	@RpcHandler("echo")
	RpcContent echo(RpcContent content) {
		return content;
	}

	/** JSON in, JSON out; a wrong password is a handler error with a code of its own. */
	@RpcHandler("login")
	LoginReply login(RpcRequest request) {
		LoginRequest login = request.content().as(LoginRequest.class);
		if (login.password() == null || login.password().isBlank()) {
			throw new RpcHandlerException("BAD_PASSWORD", "user '" + login.user() + "' gave no password");
		}
		return new LoginReply(login.user(), "token-" + Integer.toHexString(login.user().hashCode()),
				request.sourceService());
	}

	record LoginRequest(String user, String password) {
	}

	record LoginReply(String user, String token, String from) {
	}

}
