package io.github.rpcclient.route;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.lettuce.core.ScriptOutputType;

/**
 * A Lua script run with EVALSHA (EVAL when Redis does not know it yet, after a restart say). The
 * scripts use only Redis 6.2 commands.
 */
final class RouteScript {

	/**
	 * Sets a user's link to a service if it has none or its pod is no longer available, else keeps
	 * it; refreshes the link's TTL either way. A link that replaces another is announced on the
	 * link-change channel, so that every client drops the old one from its near cache. KEYS[1]
	 * link hash; ARGV service, new pod (0: keep an available link only), TTL ms, channel, message
	 * (the new pod is appended), available pods... Returns {pod or 0, 1 if set, previous pod or 0,
	 * the link's remaining TTL ms}.
	 */
	static final RouteScript SET_LINK_IF_ABSENT = new RouteScript("""
			local current = redis.call('HGET', KEYS[1], ARGV[1])
			if current then
			  for i = 6, #ARGV do
			    if ARGV[i] == current then
			      redis.call('PEXPIRE', KEYS[1], ARGV[3])
			      return {tonumber(current), 0, 0, tonumber(ARGV[3])}
			    end
			  end
			end
			if ARGV[2] == '0' then
			  return {0, 0, 0, 0}
			end
			redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
			redis.call('PEXPIRE', KEYS[1], ARGV[3])
			if current and current ~= ARGV[2] then
			  redis.call('PUBLISH', ARGV[4], ARGV[5] .. ARGV[2])
			end
			return {tonumber(ARGV[2]), 1, tonumber(current or '0'), tonumber(ARGV[3])}
			""", ScriptOutputType.MULTI);

	/**
	 * Reads a user's link to a service and how long it has left. KEYS[1] link hash; ARGV[1]
	 * service. Returns {pod or 0, remaining TTL ms (negative if none)}.
	 */
	static final RouteScript GET_LINK = new RouteScript("""
			local pod = redis.call('HGET', KEYS[1], ARGV[1])
			return {tonumber(pod or '0'), redis.call('PTTL', KEYS[1])}
			""", ScriptOutputType.MULTI);

	/** Reads one service's link of many users. KEYS link hashes; ARGV[1] service. Returns pods, 0 for none. */
	static final RouteScript BATCH_GET_LINK = new RouteScript("""
			local pods = {}
			for i = 1, #KEYS do
			  pods[i] = tonumber(redis.call('HGET', KEYS[i], ARGV[1]) or '0')
			end
			return pods
			""", ScriptOutputType.MULTI);

	/**
	 * Reads a service's pods and link counts with Redis' clock, and the mark that tells whether
	 * Redis lost the pods hash since the last read (a restart, a flush, a failover to a replica
	 * that did not have it): the hash's field {@code ~since} holds the Redis time it was first
	 * read at, and is set if the hash exists without it (a hash that does not exist is not
	 * created). KEYS pods hash, link-count hash. Returns {seconds, microseconds, pods, link counts,
	 * mark or empty}.
	 */
	static final RouteScript READ_PODS = new RouteScript("""
			local t = redis.call('TIME')
			local since = redis.call('HGET', KEYS[1], '~since')
			if not since and redis.call('EXISTS', KEYS[1]) == 1 then
			  since = t[1] .. '.' .. t[2]
			  redis.call('HSET', KEYS[1], '~since', since)
			end
			return {t[1], t[2], redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), since or ''}
			""", ScriptOutputType.MULTI);

	/**
	 * Publishes a pod with a heartbeat deadline on Redis' clock, and deletes pods whose heartbeat
	 * stopped long ago. KEYS pods hash, link-count hash; ARGV index, state, load, heartbeat TTL ms,
	 * address, removal-after ms.
	 */
	static final RouteScript PUBLISH_POD = new RouteScript("""
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
			redis.call('HSET', KEYS[1], ARGV[1],
			  ARGV[2] .. '|' .. ARGV[3] .. '|' .. (now + tonumber(ARGV[4])) .. '|' .. ARGV[5])
			local all = redis.call('HGETALL', KEYS[1])
			for i = 1, #all, 2 do
			  local deadline = tonumber(string.match(all[i + 1], '^[^|]*|[^|]*|([^|]*)|'))
			  if deadline and deadline + tonumber(ARGV[6]) < now then
			    redis.call('HDEL', KEYS[1], all[i])
			    redis.call('HDEL', KEYS[2], all[i])
			  end
			end
			return now
			""", ScriptOutputType.INTEGER);

	private final String source;

	private final String sha;

	private final ScriptOutputType outputType;

	private RouteScript(String source, ScriptOutputType outputType) {
		this.source = source;
		this.outputType = outputType;
		try {
			this.sha = HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	String source() {
		return this.source;
	}

	String sha() {
		return this.sha;
	}

	ScriptOutputType outputType() {
		return this.outputType;
	}

}
