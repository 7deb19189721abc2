package io.github.rpcclient.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.test.BootRedisConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The failover tests every Redis topology with replicas runs ({@link FailoverScenarios}), with
 * client instances connected as Spring Boot connects an application (Spring Data Redis'
 * {@code RedisAutoConfiguration} from {@code spring.data.redis.*}), {@code command-timeout} 1 s.
 * A subclass starts the Redis processes once for its class; every master killed by a test is
 * brought back as a replica after it.
 */
abstract class FailoverTestSupport implements FailoverScenarios.FailingRedis {

	static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	/** What an operation may take beyond {@code command-timeout} on a loaded 2-core machine. */
	static final Duration MARGIN = Duration.ofMillis(250);

	private final BootRedisConnections boot = new BootRedisConnections();

	private final List<RoutingFixture> clients = new ArrayList<>();

	private final List<Integer> killed = new ArrayList<>();

	/** @return {@code spring.data.redis.*} properties of a client */
	abstract List<String> redisProperties();

	/** Kills a node with SIGKILL. */
	abstract void killNode(int port);

	/** Brings a killed node back, as a replica. */
	abstract void restartNode(int port);

	@Override
	public final void kill(int port) {
		this.killed.add(port);
		killNode(port);
	}

	/**
	 * Creates a client instance, closed after the test.
	 * @param more more {@code spring.data.redis.*} properties
	 * @return the client
	 */
	RoutingFixture client(String... more) {
		List<String> properties = new ArrayList<>(redisProperties());
		properties.add("spring.data.redis.client-name=client-" + this.clients.size());
		properties.addAll(List.of(more));
		RoutingFixture client = new RoutingFixture(() -> this.boot.create(properties.toArray(String[]::new)),
				(routing) -> routing.setCommandTimeout(COMMAND_TIMEOUT));
		this.clients.add(client);
		return client;
	}

	private FailoverScenarios scenarios() {
		return new FailoverScenarios(getClass().getSimpleName().replace("FailoverTest", ""), this, this::client,
				COMMAND_TIMEOUT, MARGIN);
	}

	@AfterEach
	void closeClientsAndRestartKilledNodes() {
		this.clients.forEach(RoutingFixture::close);
		this.boot.close();
		this.killed.forEach(this::restartNode);
		awaitReplicasInSync();
		flushMasters();
	}

	/** Empties every master. */
	abstract void flushMasters();

	@Test
	void aMasterKilledUnderLoadLosesNoLinkAndOperationsResumeAfterThePromotion() throws Exception {
		scenarios().masterKilledUnderLoad();
	}

	@Test
	void aLinkTheFailoverLostIsNotSplitBetweenClients() {
		scenarios().linkLostInTheFailoverIsNotSplit();
	}

}
