package io.github.rpcclient.sample;

import java.util.Map;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Makes the book backend flaky, to watch retry and the circuit breaker at work.
 */
@RestController
class FaultController {

	private final SampleBackends backends;

	FaultController(SampleBackends backends) {
		this.backends = backends;
	}

	/** {@code POST /faults/book-service?failures=2}: the next 2 GetBook calls fail with UNAVAILABLE. */
	@PostMapping("/faults/book-service")
	Map<String, Integer> fail(@RequestParam int failures) {
		this.backends.books().failNext(failures);
		return Map.of("failures", failures);
	}

}
