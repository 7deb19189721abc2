package io.github.rpcclient.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.rpcclient.test.EmbeddedRedis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many client instances racing to link the same users end with one pod per user, and every caller
 * got that pod.
 */
class LinkRaceTest {

	private static final int DRIVERS = 4;

	private static final int THREADS_PER_DRIVER = 32;

	private static final int USERS = 1000;

	@Test
	void fourDriversTimesThirtyTwoThreadsAgreeOnOnePodPerUser() throws Exception {
		try (EmbeddedRedis redis = EmbeddedRedis.start()) {
			List<RoutingFixture> clients = new ArrayList<>();
			for (int i = 0; i < DRIVERS; i++) {
				clients.add(new RoutingFixture(redis));
			}
			for (int pod = 1; pod <= 3; pod++) {
				clients.get(0).publish("game", pod, 0);
			}
			clients.forEach((client) -> client.registry.refresh());
			List<String> uids = IntStream.range(0, USERS).mapToObj((i) -> "user-" + i).toList();
			Map<String, Set<Integer>> returned = new ConcurrentHashMap<>();
			ExecutorService pool = Executors.newFixedThreadPool(DRIVERS * THREADS_PER_DRIVER);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> runs = new ArrayList<>();
			try {
				for (RoutingFixture client : clients) {
					for (int t = 0; t < THREADS_PER_DRIVER; t++) {
						List<String> order = new ArrayList<>(uids);
						Collections.shuffle(order);
						runs.add(pool.submit(() -> {
							start.await();
							for (String uid : order) {
								int pod = client.driver.computeLinkedPod(RoutingFixture.NS, uid, "game").getAsInt();
								returned.computeIfAbsent(uid, (key) -> ConcurrentHashMap.newKeySet()).add(pod);
							}
							return null;
						}));
					}
				}
				long began = System.nanoTime();
				start.countDown();
				for (Future<?> run : runs) {
					run.get(60, TimeUnit.SECONDS);
				}
				System.out.printf("Race: %d computations in %d ms%n", DRIVERS * THREADS_PER_DRIVER * USERS,
						TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
			}
			finally {
				pool.shutdownNow();
			}
			Map<Integer, List<String>> stored = clients.get(0).driver.batchGetLinkedPod(RoutingFixture.NS,
					uids, "game");
			Map<String, Integer> storedByUid = new ConcurrentHashMap<>();
			stored.forEach((pod, users) -> users.forEach((uid) -> storedByUid.put(uid, pod)));
			for (String uid : uids) {
				assertThat(returned.get(uid)).as("pods returned for %s", uid).hasSize(1);
				assertThat(clients.get(DRIVERS - 1).driver.getLinkedPodNotCache(RoutingFixture.NS, uid, "game"))
					.as("pod stored for %s", uid)
					.hasValue(returned.get(uid).iterator().next());
			}
			assertThat(stored.keySet()).as("the users are spread over the pods").containsExactlyInAnyOrder(1, 2, 3);
			clients.forEach(RoutingFixture::close);
		}
	}

}
