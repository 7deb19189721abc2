package io.github.rpcclient.test;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A {@link TestBackend} for a whole test class, with a context runner whose service {@code echo}
 * calls it:
 *
 * <pre class="code">
 * &#64;RegisterExtension
 * static final EchoBackendExtension backend = new EchoBackendExtension(7);
 * </pre>
 *
 * Started when the class loads, stopped after its tests; the headers it received are forgotten
 * before each test. For a fresh backend in every test, register {@link #perTest()} on an instance
 * field instead.
 */
public final class EchoBackendExtension implements AfterAllCallback, AfterEachCallback, BeforeEachCallback {

	private final TestBackend backend;

	private final boolean perTest;

	/** Starts a backend answering as pod 0, for the whole class. */
	public EchoBackendExtension() {
		this(0);
	}

	/** Starts a backend answering as the given pod, for the whole class. */
	public EchoBackendExtension(int pod) {
		this(pod, false);
	}

	private EchoBackendExtension(int pod, boolean perTest) {
		this.backend = TestBackend.start(pod);
		this.perTest = perTest;
	}

	/** @return a backend that lives for one test, for an instance field */
	public static EchoBackendExtension perTest() {
		return new EchoBackendExtension(0, true);
	}

	/** @return {@code 127.0.0.1:port} */
	public String address() {
		return this.backend.address();
	}

	public EchoServiceImpl service() {
		return this.backend.service();
	}

	/** @return how many client connections the server has accepted, over all its restarts */
	public int connections() {
		return this.backend.connections();
	}

	/** Stops the server at once, failing in-flight calls. */
	public void stop() {
		this.backend.stop();
	}

	/** Restarts the server on the same port. */
	public void restart() {
		this.backend.restart();
	}

	/**
	 * A runner with the client auto-configuration and one service, {@code echo}, at this backend.
	 * @param properties more properties
	 * @return the runner
	 */
	public ApplicationContextRunner runner(String... properties) {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=" + address())
			.withPropertyValues(properties);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.backend.service().headers().clear();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (this.perTest) {
			this.backend.close();
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (!this.perTest) {
			this.backend.close();
		}
	}

}
