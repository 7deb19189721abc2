package io.github.rpcclient.interceptor;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lets at most one WARN line per key (a service's method) through per interval, and counts the
 * ones it holds back so the next line can say how many. An outage that fails a thousand calls a
 * second writes one line a second per method, not a thousand. Lock-free: a key's window is claimed
 * with one compare-and-set.
 */
final class WarnRateLimiter {

	private final long intervalNanos;

	private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

	/**
	 * @param interval the interval; zero lets every line through
	 */
	WarnRateLimiter(Duration interval) {
		this.intervalNanos = interval.toNanos();
	}

	/**
	 * Asks to write a line for a key.
	 * @param key the key
	 * @return -1 if the line is held back, else the number of lines held back since the key's last
	 * line (0 or more)
	 */
	long acquire(String key) {
		if (this.intervalNanos <= 0) {
			return 0;
		}
		Window window = this.windows.get(key);
		if (window == null) {
			window = this.windows.computeIfAbsent(key, (k) -> new Window());
		}
		long now = System.nanoTime();
		long last = window.lastLine.get();
		if ((last == Long.MIN_VALUE || now - last >= this.intervalNanos) && window.lastLine.compareAndSet(last, now)) {
			return window.suppressed.sumThenReset();
		}
		window.suppressed.increment();
		return -1;
	}

	private static final class Window {

		private final AtomicLong lastLine = new AtomicLong(Long.MIN_VALUE);

		private final LongAdder suppressed = new LongAdder();

	}

}
