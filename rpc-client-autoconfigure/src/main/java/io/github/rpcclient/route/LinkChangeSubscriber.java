package io.github.rpcclient.route;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.lang.Nullable;

/**
 * Pushes every relink to this client's near cache: subscribes to the link-change channel (Redis
 * pub/sub, which works alike on a single Redis, Sentinel and Cluster) and drops each replaced link
 * from the {@link StatefulRouteDriver}'s near cache as the message arrives. Messages published
 * while the subscription was down are lost, so every (re-)subscription marks the whole near cache
 * unverified: each cached link is checked against Redis on its next use (and re-asserted there if
 * Redis lost it). On a Redis Cluster, every topology change Lettuce's topology refresh finds (a
 * replica promoted after a failover) marks the near cache unverified too, since the failed master
 * may have lost its last links and the subscription, held on another node, noticed nothing. It
 * subscribes at start if a stateful service is configured, else once the driver first caches a
 * link (an application that has Redis for other reasons holds no subscription). If Redis cannot
 * be subscribed to, it tries again every {@code retry} in the background, with one warning.
 */
public class LinkChangeSubscriber implements SmartLifecycle, MessageListener, SubscriptionListener {

	private static final Logger logger = LoggerFactory.getLogger(LinkChangeSubscriber.class);

	private final RouteStore store;

	private final StatefulRouteDriver driver;

	private final byte[] channel;

	private final Duration retry;

	@Nullable
	private ScheduledExecutorService subscriber;

	@Nullable
	private volatile RedisConnection connection;

	/** Failed attempts since the last subscription; touched by the subscriber thread only. */
	private int failures;

	/** Stops listening to Redis Cluster topology changes. */
	@Nullable
	private Runnable topologyListener;

	/**
	 * Creates the subscriber.
	 * @param store the Redis links live in
	 * @param driver the driver whose near cache to keep in step
	 * @param retry how long to wait before subscribing again after a failure
	 */
	public LinkChangeSubscriber(RouteStore store, StatefulRouteDriver driver, Duration retry) {
		this.store = store;
		this.driver = driver;
		this.channel = driver.keys().linkChanges();
		this.retry = retry;
	}

	@Override
	public void onMessage(Message message, @Nullable byte[] pattern) {
		LinkChange change = LinkChange.parse(RouteKeys.string(message.getBody()));
		if (change != null) {
			this.driver.linkChanged(change);
		}
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		this.driver.nearCacheUnverified();
	}

	/**
	 * A Redis Cluster failover may lose the last writes of the failed master (replication is
	 * asynchronous), and the subscription, on another node, may not notice: every cached link is
	 * verified again on its next use.
	 */
	private void topologyChanged() {
		logger.debug("Redis Cluster topology changed: cached links are verified again on their next use");
		this.driver.nearCacheUnverified();
	}

	@Override
	public synchronized void start() {
		if (this.subscriber != null) {
			return;
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "grpc-link-changes");
			thread.setDaemon(true);
			return thread;
		});
		this.subscriber = executor;
		this.driver.whenNearCacheUsed(this::subscribeSoon);
	}

	/**
	 * Hands the subscription to the subscriber thread, unless stopped. Under this object's lock, so
	 * that a {@link #stop()} racing the first cached link cannot make the hand-over throw into the
	 * route lookup that cached it.
	 */
	private synchronized void subscribeSoon() {
		if (this.subscriber != null) {
			this.subscriber.execute(this::subscribe);
		}
	}

	private void subscribe() {
		try {
			RedisConnection subscribed = this.store.subscribe(this.channel, this);
			synchronized (this) {
				if (this.subscriber == null) {
					subscribed.close();
					return;
				}
				this.connection = subscribed;
				if (this.topologyListener == null) {
					this.topologyListener = this.store.onTopologyChange(this::topologyChanged);
				}
			}
			if (this.failures > 0) {
				logger.info("Subscribed to relinks in Redis after {} failed attempts", this.failures);
				this.failures = 0;
			}
		}
		catch (RuntimeException ex) {
			if (this.failures++ == 0) {
				logger.warn("Cannot subscribe to relinks in Redis, trying again every {} (logged at debug level "
						+ "until it works): {}", this.retry, ex.getMessage());
			}
			else {
				logger.debug("Cannot subscribe to relinks in Redis, trying again in {}: {}", this.retry,
						ex.getMessage());
			}
			ScheduledExecutorService executor = this.subscriber;
			if (executor != null && !executor.isShutdown()) {
				executor.schedule(this::subscribe, this.retry.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
	}

	/** @return whether the subscription is established (Lettuce keeps it through reconnections) */
	public boolean isSubscribed() {
		RedisConnection current = this.connection;
		return current != null && current.isSubscribed();
	}

	@Override
	public synchronized void stop() {
		if (this.subscriber == null) {
			return;
		}
		this.subscriber.shutdownNow();
		this.subscriber = null;
		if (this.topologyListener != null) {
			this.topologyListener.run();
			this.topologyListener = null;
		}
		RedisConnection current = this.connection;
		this.connection = null;
		if (current != null) {
			try {
				current.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Closing the relink subscription failed: {}", ex.getMessage());
			}
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.subscriber != null;
	}

}
