package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import reactor.core.Disposable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.lang.Nullable;

/**
 * Runs the routing commands on the application's Redis (Spring Data Redis' Lettuce connection),
 * each bounded by {@code command-timeout} whatever the client's own timeout is. Every failure to
 * reach Redis becomes a {@link RouteStoreUnavailableException}.
 */
public class RouteStore {

	private final LettuceConnectionFactory connectionFactory;

	private final long timeoutNanos;

	private final Duration timeout;

	private volatile Observer observer = (operation, outcome, nanos) -> {
	};

	/**
	 * Creates the store.
	 * @param connectionFactory the application's Lettuce connection
	 * @param timeout the longest wait for one command ({@code command-timeout})
	 */
	public RouteStore(LettuceConnectionFactory connectionFactory, Duration timeout) {
		this.connectionFactory = connectionFactory;
		this.timeout = timeout;
		this.timeoutNanos = timeout.toNanos();
	}

	/**
	 * Runs a script.
	 * @param script the script
	 * @param keys its keys
	 * @param args its arguments
	 * @param <T> the reply type
	 * @return the reply
	 */
	<T> T eval(RouteScript script, byte[][] keys, byte[]... args) {
		return run(ScriptNames.of(script), (commands) -> {
			try {
				return await(commands.<T>evalsha(script.sha(), script.outputType(), keys, args));
			}
			catch (RedisNoScriptException ex) {
				return await(commands.<T>eval(script.source(), script.outputType(), keys, args));
			}
		});
	}

	/**
	 * Reads one field of many hashes: one script on a single Redis; on a Redis Cluster, where one
	 * script cannot span slots, one script per hash slot, all sent at once (Lettuce pipelines
	 * them on each node's connection); the slots of a node that does not know the script yet (a
	 * restarted node, a promoted replica) are sent again as EVALs, also all at once.
	 * @param keys the hashes
	 * @param field the field
	 * @return the field's value of each hash as a number, 0 where there is none
	 */
	List<Long> hgetMany(byte[][] keys, byte[] field) {
		if (!this.connectionFactory.isClusterAware()) {
			return eval(RouteScript.BATCH_GET_LINK, keys, field);
		}
		Map<Integer, List<Integer>> bySlot = new HashMap<>();
		for (int i = 0; i < keys.length; i++) {
			bySlot.computeIfAbsent(SlotHash.getSlot(keys[i]), (slot) -> new ArrayList<>()).add(i);
		}
		RouteScript script = RouteScript.BATCH_GET_LINK;
		return run(script.source(), (commands) -> {
			Map<List<Integer>, RedisFuture<List<Long>>> futures = new HashMap<>();
			Map<List<Integer>, byte[][]> groupKeys = new HashMap<>();
			for (List<Integer> group : bySlot.values()) {
				byte[][] slotKeys = group.stream().map((i) -> keys[i]).toArray(byte[][]::new);
				groupKeys.put(group, slotKeys);
				futures.put(group, commands.evalsha(script.sha(), script.outputType(), slotKeys, field));
			}
			Long[] values = new Long[keys.length];
			Map<List<Integer>, RedisFuture<List<Long>>> unknown = new HashMap<>();
			futures.forEach((group, future) -> {
				try {
					fill(values, group, await(future));
				}
				catch (RedisNoScriptException ex) {
					unknown.put(group, commands.eval(script.source(), script.outputType(), groupKeys.get(group), field));
				}
			});
			unknown.forEach((group, future) -> fill(values, group, await(future)));
			return List.of(values);
		});
	}

	private static void fill(Long[] values, List<Integer> group, List<Long> pods) {
		for (int j = 0; j < group.size(); j++) {
			values[group.get(j)] = pods.get(j);
		}
	}

	/**
	 * Subscribes to a channel on a connection of its own, which Lettuce re-subscribes after every
	 * reconnection (telling the listener again through
	 * {@link SubscriptionListener#onChannelSubscribed}).
	 * @param channel the channel
	 * @param listener receives its messages
	 * @return the subscribed connection, to close
	 * @throws RouteStoreUnavailableException if Redis cannot be reached
	 */
	RedisConnection subscribe(byte[] channel, MessageListener listener) {
		RedisConnection connection = null;
		try {
			connection = this.connectionFactory.getConnection();
			connection.subscribe(listener, channel);
			return connection;
		}
		catch (RuntimeException ex) {
			if (connection != null) {
				connection.close();
			}
			if (ex instanceof io.lettuce.core.RedisException || ex instanceof DataAccessException) {
				throw new RouteStoreUnavailableException("Redis (the stateful route store) cannot be subscribed to: "
						+ ex.getMessage(), ex);
			}
			throw ex;
		}
	}

	/**
	 * Runs an action whenever Lettuce finds that the Redis Cluster's topology changed (a replica
	 * promoted after a failover, slots moved), which it notices through its topology refresh
	 * ({@code spring.data.redis.lettuce.cluster.refresh.*}). Does nothing on a single Redis or
	 * with Sentinel, where a failover drops the connections instead.
	 * @param action what to do, on a Lettuce thread: a quick, non-blocking one
	 * @return what stops it
	 */
	Runnable onTopologyChange(Runnable action) {
		if (!this.connectionFactory.isClusterAware()) {
			return () -> {
			};
		}
		Disposable subscription = this.connectionFactory.getRequiredNativeClient()
			.getResources()
			.eventBus()
			.get()
			.filter(ClusterTopologyChangedEvent.class::isInstance)
			.subscribe((event) -> action.run());
		return subscription::dispose;
	}

	Map<byte[], byte[]> hgetall(byte[] key) {
		return run("HGETALL", (commands) -> await(commands.hgetall(key)));
	}

	byte[] hget(byte[] key, byte[] field) {
		return run("HGET", (commands) -> await(commands.hget(key, field)));
	}

	/**
	 * Adds to counters in one hash and refreshes its TTL, pipelined, without waiting for Redis: the
	 * caller goes on at once (a link is not held up by its counter's node, when that one is failing
	 * over, say). What Redis has not answered within {@code command-timeout} is cancelled; a
	 * failure is only recorded.
	 */
	void incrementInBackground(byte[] key, byte[] field, long delta, @Nullable byte[] otherField, long otherDelta,
			Duration ttl) {
		long start = System.nanoTime();
		try {
			execute("HINCRBY", (commands) -> {
				List<RedisFuture<?>> sent = new ArrayList<>(3);
				sent.add(commands.hincrby(key, field, delta));
				if (otherField != null) {
					sent.add(commands.hincrby(key, otherField, otherDelta));
				}
				sent.add(commands.pexpire(key, ttl.toMillis()));
				CompletableFuture.allOf(sent.stream().map(RedisFuture::toCompletableFuture).toArray(CompletableFuture[]::new))
					.orTimeout(this.timeoutNanos, TimeUnit.NANOSECONDS)
					.whenComplete((done, failure) -> {
						if (failure != null) {
							sent.forEach((future) -> future.cancel(true));
						}
						this.observer.record("HINCRBY", outcomeOf(failure), System.nanoTime() - start);
					});
				return null;
			});
		}
		catch (RouteStoreUnavailableException ex) {
			this.observer.record("HINCRBY", "unavailable", System.nanoTime() - start);
		}
	}

	/**
	 * The outcome of a command Redis answered in the background, as {@link #run} tells the others.
	 * @param failure what it failed with, or {@code null}
	 * @return {@code success}, {@code rejected} (Redis refused it), {@code unavailable} (no answer
	 * in time, or no connection) or {@code error}
	 */
	static String outcomeOf(@Nullable Throwable failure) {
		if (failure == null) {
			return "success";
		}
		Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
				: failure;
		if (cause instanceof RedisCommandExecutionException) {
			return "rejected";
		}
		if (cause instanceof TimeoutException || cause instanceof CancellationException
				|| cause instanceof io.lettuce.core.RedisException) {
			return "unavailable";
		}
		return "error";
	}

	private <T> T await(RedisFuture<T> future) {
		return LettuceFutures.awaitOrCancel(future, this.timeoutNanos, TimeUnit.NANOSECONDS);
	}

	/**
	 * Sets what is told of every operation's outcome and duration (metrics).
	 * @param observer the observer
	 */
	public void setObserver(Observer observer) {
		this.observer = observer;
	}

	private <T> T run(String what, Function<RedisClusterAsyncCommands<byte[], byte[]>, T> action) {
		long start = System.nanoTime();
		String outcome = "error";
		try {
			T result = execute(what, action);
			outcome = "success";
			return result;
		}
		catch (RouteStoreUnavailableException ex) {
			outcome = "unavailable";
			throw ex;
		}
		catch (IllegalStateException ex) {
			outcome = "rejected";
			throw ex;
		}
		finally {
			this.observer.record(what, outcome, System.nanoTime() - start);
		}
	}

	@SuppressWarnings("unchecked")
	private <T> T execute(String what, Function<RedisClusterAsyncCommands<byte[], byte[]>, T> action) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			return action.apply((RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection());
		}
		catch (RedisCommandExecutionException ex) {
			throw new IllegalStateException("Redis rejected the routing command " + abbreviate(what) + ": "
					+ ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			if (ex instanceof io.lettuce.core.RedisException || ex instanceof DataAccessException) {
				throw new RouteStoreUnavailableException("Redis (the stateful route store) did not answer within "
						+ this.timeout.toMillis() + "ms: " + ex.getMessage(), ex);
			}
			throw ex;
		}
	}

	private static String abbreviate(String what) {
		return what.length() > 40 ? "script" : what;
	}

	/**
	 * Told of every Redis operation of the route store.
	 */
	@FunctionalInterface
	public interface Observer {

		/**
		 * @param operation the command or script, such as {@code HGET} or {@code read-pods} (a few
		 * fixed names)
		 * @param outcome {@code success}, {@code unavailable} (Redis did not answer in time),
		 * {@code rejected} (Redis answered with an error) or {@code error}
		 * @param nanos how long it took
		 */
		void record(String operation, String outcome, long nanos);

	}

	/** The names of the scripts, from their constants ({@code READ_PODS} is {@code read-pods}). */
	private static final class ScriptNames {

		private static final Map<RouteScript, String> NAMES = new java.util.IdentityHashMap<>();

		static {
			for (java.lang.reflect.Field field : RouteScript.class.getDeclaredFields()) {
				if (field.getType() == RouteScript.class && java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
					try {
						NAMES.put((RouteScript) field.get(null), field.getName().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
					}
					catch (IllegalAccessException ex) {
						// not readable: named "script"
					}
				}
			}
		}

		static String of(RouteScript script) {
			return NAMES.getOrDefault(script, "script");
		}

	}

}
