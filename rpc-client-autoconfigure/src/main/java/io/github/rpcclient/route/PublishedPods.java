package io.github.rpcclient.route;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.lang.Nullable;

/**
 * The pods of one service as published in Redis, parsed from the reply of
 * {@link RouteScript#READ_PODS}: Redis' time, the pods hash ({@code index -> state|load|deadline|address})
 * and the link counters ({@code index -> links}). Entries that are not pods of ours are skipped.
 *
 * @param redisNow Redis' clock when it answered, in milliseconds
 * @param pods the pods by index
 * @param since the mark of the pods hash, or {@code null} if there is no hash: another one than
 * the last read's means that Redis lost the hash meanwhile
 */
record PublishedPods(long redisNow, Map<Integer, Pod> pods, @Nullable String since) {

	static PublishedPods parse(List<Object> reply) {
		long redisNow = Long.parseLong(RouteKeys.string(reply.get(0))) * 1000
				+ Long.parseLong(RouteKeys.string(reply.get(1))) / 1000;
		Map<Integer, Long> links = new TreeMap<>();
		List<?> counts = (List<?>) reply.get(3);
		for (int i = 0; i + 1 < counts.size(); i += 2) {
			try {
				links.put(Integer.parseInt(RouteKeys.string(counts.get(i))),
						Long.parseLong(RouteKeys.string(counts.get(i + 1))));
			}
			catch (NumberFormatException ex) {
				// not a counter of ours
			}
		}
		Map<Integer, Pod> published = new TreeMap<>();
		List<?> pods = (List<?>) reply.get(2);
		for (int i = 0; i + 1 < pods.size(); i += 2) {
			try {
				int index = Integer.parseInt(RouteKeys.string(pods.get(i)));
				Pod pod = Pod.parse(index, RouteKeys.string(pods.get(i + 1)), links.getOrDefault(index, 0L));
				if (pod != null) {
					published.put(index, pod);
				}
			}
			catch (NumberFormatException ex) {
				// not a pod of ours
			}
		}
		String since = RouteKeys.string(reply.get(4));
		return new PublishedPods(redisNow, published, since.isEmpty() ? null : since);
	}

}
