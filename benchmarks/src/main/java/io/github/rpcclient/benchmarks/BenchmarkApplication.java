package io.github.rpcclient.benchmarks;

import java.util.List;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.annotation.ImportCandidates;

/**
 * The application a benchmark's client runs in: nothing but auto-configuration, Actuator's
 * included, as users run it. The benchmarks' classpath also holds the gRPC client libraries the
 * starter is compared with ({@link PeerComparison}); an application runs the auto-configurations of
 * one of them only.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class BenchmarkApplication {

	/** The starter's package. */
	static final String STARTER = "io.github.rpcclient.";

	/** grpc-spring's package. */
	static final String GRPC_SPRING = "net.devh.";

	/** Spring gRPC's package. */
	static final String SPRING_GRPC = "org.springframework.grpc.";

	private static final List<String> LIBRARIES = List.of(STARTER, GRPC_SPRING, SPRING_GRPC);

	/** @return an application with the starter's client */
	static SpringApplicationBuilder starter() {
		return of(STARTER);
	}

	/**
	 * @param library the package of the gRPC client library whose auto-configurations run
	 * @return an application with that library's client, without a web server
	 */
	static SpringApplicationBuilder of(String library) {
		List<String> others = ImportCandidates.load(AutoConfiguration.class, BenchmarkApplication.class.getClassLoader())
			.getCandidates()
			.stream()
			.filter((name) -> !name.startsWith(library))
			.filter((name) -> LIBRARIES.stream().anyMatch(name::startsWith))
			.toList();
		return new SpringApplicationBuilder(BenchmarkApplication.class).web(WebApplicationType.NONE)
			.properties("spring.autoconfigure.exclude=" + String.join(",", others), "spring.main.banner-mode=off",
					"logging.level.root=warn");
	}

}
