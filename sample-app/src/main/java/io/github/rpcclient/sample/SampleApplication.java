package io.github.rpcclient.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample: a REST application whose controllers call gRPC backends through
 * {@code @GrpcClient} stubs configured in {@code application.yml}. It starts those backends
 * itself ({@link SampleBackends}).
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.addInitializers(new SampleBackends.Initializer());
		application.run(args);
	}

}
