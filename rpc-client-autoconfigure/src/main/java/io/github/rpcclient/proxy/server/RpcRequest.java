package io.github.rpcclient.proxy.server;

import io.github.rpcclient.proxy.RpcContent;

/**
 * A call by message id as a handler receives it.
 *
 * @param requestId the caller's request id, echoed in the response
 * @param messageId the message id
 * @param sourceService the calling service
 * @param userId the user of a call to a stateful service, or an empty string
 * @param content the content
 */
public record RpcRequest(String requestId, String messageId, String sourceService, String userId, RpcContent content) {

}
