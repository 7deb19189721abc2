package io.github.rpcclient.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample: a REST application whose controllers call gRPC backends through
 * {@code @GrpcClient} stubs configured in {@code application.yml}.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SampleBackends backends = SampleBackends.start();
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.setDefaultProperties(backends.properties());
		application.addListeners((org.springframework.context.event.ContextClosedEvent event) -> backends.close());
		application.run(args);
	}

}
