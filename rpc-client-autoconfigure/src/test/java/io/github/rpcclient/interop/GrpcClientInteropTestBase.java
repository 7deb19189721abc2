package io.github.rpcclient.interop;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot3.retry.autoconfigure.RetryAutoConfiguration;
import io.github.rpcclient.actuate.ServiceNameObservationConvention;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.stub.GrpcClient;
import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingServerBuilder;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.testing.integration.AbstractInteropTest;
import io.grpc.testing.integration.TestServiceGrpc;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.annotation.Configurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * grpc-java's own interop cases ({@link AbstractInteropTest} of {@code grpc-interop-testing}, the
 * cases its Java client passes against its Java server) run through stubs injected with
 * {@link GrpcClient @GrpcClient}, with the starter's default call chain: request id, logging,
 * failure hints, deadline, retry, circuit breaker and Micrometer observation, all as configured
 * by default.
 * <ul>
 * <li>The server is grpc-java's {@code TestServiceImpl} on a Netty server on a loopback port,
 * built and started for each case through {@code AbstractInteropTest}'s own server hook
 * ({@link #getServerBuilder()}), so that its server-side captures (request headers, server stream
 * tracers) work. The first case of a class takes a free port; the following ones start their
 * server on that port again.</li>
 * <li>The client is a Spring context with the starter's auto-configuration (and Resilience4j's,
 * SSL bundles and Actuator's observation and metrics, as an application has them) and one
 * service, {@value #SERVICE}, in {@code grpc-clients.services[0]} at that port; a bean receives
 * the stubs with {@code @GrpcClient}. {@code AbstractInteropTest}'s {@code channel},
 * {@code blockingStub} and {@code asyncStub} are built, for each case, on an
 * {@link InjectedStubChannel} over the injected stubs' channel.</li>
 * </ul>
 * The client context lives for the test class: building one per case took most of the run's time
 * (about 0.4 s a case in plaintext and 1 s with TLS, against a few milliseconds for most cases).
 * So that each case finds what a fresh client would give it, it starts with the service's circuit
 * breaker reset and the service's channel READY on the case's server: after each case the channel
 * is seen to leave READY (it noticed the server go), and before the next one it is connected again,
 * without the reconnect backoff a connection reset by the stopping server may have left. (A fresh
 * channel would start IDLE: the first half of {@code deadlineInPast}, meant for an idle channel,
 * runs on a connected one.)
 * <p>
 * The only client setting the cases need beyond the defaults is the one grpc-java's own clients
 * set too: {@code max-inbound-message-size} of {@link #MAX_MESSAGE_SIZE} (16 MiB), for the 10 MiB
 * responses of {@code veryLargeResponse}. Variants add their transport security.
 * <p>
 * The census metrics checks are off ({@link #metricsExpected()}, and with them
 * {@link #customCensusModulePresent()}): they read the records of grpc-census' stats interceptor
 * and server tracer, which a subclass installs on the channel and server it builds (as grpc-java's
 * own {@code Http2NettyTest} does); here the channel is the starter's, and grpc-census has no
 * release of this build's grpc-java version. The per-stream tracer checks still run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class GrpcClientInteropTestBase extends AbstractInteropTest {

	static final String SERVICE = "interop";

	private static final AutoConfigurations AUTO_CONFIGURATIONS = autoConfigurations();

	/** The client context of each test class, made by its first case. */
	private static final Map<Class<?>, InteropClient> clients = new ConcurrentHashMap<>();

	private Server server;

	/** @return the credentials of the test server */
	protected abstract ServerCredentials serverCredentials();

	/** @return client properties of the variant, added to the service's name and address */
	protected abstract List<String> clientProperties();

	/**
	 * Every auto-configuration of the starter (as listed in its {@code AutoConfiguration.imports}),
	 * and the ones of Spring Boot and Resilience4j it works with.
	 */
	private static AutoConfigurations autoConfigurations() {
		List<Class<?>> classes = new ArrayList<>(List.of(SslAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, ObservationAutoConfiguration.class,
				RetryAutoConfiguration.class, CircuitBreakerAutoConfiguration.class));
		ClassLoader classLoader = GrpcClientInteropTestBase.class.getClassLoader();
		for (String name : ImportCandidates.load(AutoConfiguration.class, classLoader)) {
			if (name.startsWith("io.github.rpcclient.")) {
				classes.add(ClassUtils.resolveClassName(name, classLoader));
			}
		}
		return AutoConfigurations.of(classes.toArray(new Class<?>[0]));
	}

	@Override
	protected ServerBuilder<?> getServerBuilder() {
		InteropClient client = clients.get(getClass());
		int port = (client != null) ? client.port : 0;
		return new CapturingServerBuilder(
				NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), serverCredentials())
					.flowControlWindow(TEST_FLOW_CONTROL_WINDOW)
					.maxInboundMessageSize(MAX_MESSAGE_SIZE));
	}

	@Override
	protected ManagedChannelBuilder<?> createChannelBuilder() {
		return new InjectedStubChannel.Builder(client().blocking.getChannel());
	}

	private InteropClient client() {
		return clients.computeIfAbsent(getClass(), (testClass) -> startClient());
	}

	private InteropClient startClient() {
		assertThat(this.server).as("the test server, started by AbstractInteropTest.setUp()").isNotNull();
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.setAllowBeanDefinitionOverriding(false);
		context.setAllowCircularReferences(false);
		TestPropertyValues.of("grpc-clients.services[0].name=" + SERVICE,
				"grpc-clients.services[0].address=127.0.0.1:" + this.server.getPort(),
				"grpc-clients.services[0].max-inbound-message-size=" + MAX_MESSAGE_SIZE + "B")
			.and(clientProperties().stream())
			.applyTo(context);
		context.register(Configurations.getClasses(AUTO_CONFIGURATIONS));
		context.register(InteropClient.class);
		try {
			context.refresh();
		}
		catch (RuntimeException ex) {
			context.close();
			throw ex;
		}
		// the default chain is all there: Resilience4j instances of the service, and the observation
		assertThat(context.getBean(RetryRegistry.class).find(SERVICE)).as("retry of the service").isPresent();
		assertThat(context.getBean(CircuitBreakerRegistry.class).find(SERVICE)).as("breaker of the service").isPresent();
		assertThat(context.getBeansOfType(ObservationRegistry.class)).as("observation registry").hasSize(1);
		InteropClient client = context.getBean(InteropClient.class);
		client.context = context;
		client.port = this.server.getPort();
		context.getBean(CircuitBreakerRegistry.class)
			.circuitBreaker(SERVICE)
			.getEventPublisher()
			.onSuccess((event) -> client.breakerCalls.incrementAndGet())
			.onError((event) -> client.breakerCalls.incrementAndGet());
		return client;
	}

	/** Census stats are not installed (see the class comment); per-stream tracers are. */
	@Override
	protected boolean metricsExpected() {
		return false;
	}

	/** No census module: {@code censusContextsPropagated} is skipped by its own assumption. */
	@Override
	protected boolean customCensusModulePresent() {
		return false;
	}

	@BeforeEach
	@Override
	public void setUp() {
		super.setUp();
		InteropClient client = client();
		ManagedChannelRegistry registry = client.context.getBean(ManagedChannelRegistry.class);
		Channel callChannel = registry.getCallChannel(SERVICE);
		assertThat(client.blocking.getChannel()).as("injected blocking stub").isSameAs(callChannel);
		assertThat(client.async.getChannel()).as("injected async stub").isSameAs(callChannel);
		assertThat(this.channel).isInstanceOfSatisfying(InjectedStubChannel.class,
				(wrapper) -> assertThat(wrapper.callChannel()).isSameAs(callChannel));
		// what a fresh client would have: a closed breaker, and a channel not in a reconnect backoff
		client.context.getBean(CircuitBreakerRegistry.class).find(SERVICE).ifPresent(CircuitBreaker::reset);
		assertThat(awaitReady(registry.getChannel(SERVICE))).as("the service's channel connected to the case's server")
			.isTrue();
	}

	@AfterEach
	@Override
	public void tearDown() {
		super.tearDown();
		if (this.server != null) {
			// the next case starts its server on this port
			assertThat(awaitTermination(this.server)).as("server terminated").isTrue();
		}
		InteropClient client = clients.get(getClass());
		if (client != null) {
			assertThat(client.context.isActive()).isTrue();
			ManagedChannel serviceChannel = client.context.getBean(ManagedChannelRegistry.class).getChannel(SERVICE);
			assertThat(serviceChannel.isShutdown())
				.as("the service's channel after AbstractInteropTest shut its channel down")
				.isFalse();
			// so that the next case does not find it READY on a connection to this case's server
			assertThat(awaitNotReady(serviceChannel)).as("the service's channel saw the server go").isTrue();
		}
	}

	private static boolean awaitTermination(Server server) {
		try {
			return server.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Connects a channel, retrying at once when it is in a reconnect backoff: a connection the
	 * previous case's calls started may have been reset when that case's server stopped.
	 */
	private static boolean awaitReady(ManagedChannel channel) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		ConnectivityState state;
		while ((state = channel.getState(true)) != ConnectivityState.READY) {
			if (state == ConnectivityState.TRANSIENT_FAILURE) {
				channel.resetConnectBackoff();
			}
			if (!awaitStateChange(channel, state, deadline)) {
				return false;
			}
		}
		return true;
	}

	private static boolean awaitNotReady(ManagedChannel channel) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (channel.getState(false) == ConnectivityState.READY) {
			if (!awaitStateChange(channel, ConnectivityState.READY, deadline)) {
				return false;
			}
		}
		return true;
	}

	private static boolean awaitStateChange(ManagedChannel channel, ConnectivityState from, long deadline) {
		CountDownLatch changed = new CountDownLatch(1);
		channel.notifyWhenStateChanged(from, changed::countDown);
		try {
			// short waits: a TRANSIENT_FAILURE may only end when its backoff is reset again
			return changed.await(Math.min(100_000_000, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
					|| System.nanoTime() < deadline;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@AfterAll
	static void closeClient(TestInfo test) {
		InteropClient client = clients.remove(test.getTestClass().orElseThrow());
		if (client != null) {
			try {
				// the calls went through the observation and the breaker of the chain
				assertThat(client.context.getBean(MeterRegistry.class)
					.find("grpc.client")
					.tag(ServiceNameObservationConvention.KEY, SERVICE)
					.timers()).as("grpc.client timers of the service").isNotEmpty();
				assertThat(client.breakerCalls).as("calls recorded by the breaker of the service").hasPositiveValue();
				Retry.Metrics retried = client.context.getBean(RetryRegistry.class).retry(SERVICE).getMetrics();
				assertThat(retried.getNumberOfSuccessfulCallsWithoutRetryAttempt())
					.as("calls counted by the retry of the service")
					.isPositive();
			}
			finally {
				client.context.close();
			}
		}
	}

	// The cases of AbstractInteropTest, in its order (InteropCaseCoverageTest checks the list).

	@Test
	@Override
	public void emptyUnary() throws Exception {
		super.emptyUnary();
	}

	@Test
	@Override
	public void emptyUnaryWithRetriableStream() throws Exception {
		super.emptyUnaryWithRetriableStream();
	}

	@Test
	@Override
	public void largeUnary() throws Exception {
		super.largeUnary();
	}

	@Test
	@Override
	public void serverCompressedUnary() throws Exception {
		super.serverCompressedUnary();
	}

	@Test
	@Override
	public void serverStreaming() throws Exception {
		super.serverStreaming();
	}

	@Test
	@Override
	public void clientStreaming() throws Exception {
		super.clientStreaming();
	}

	@Test
	@Override
	public void pingPong() throws Exception {
		super.pingPong();
	}

	@Test
	@Override
	public void emptyStream() throws Exception {
		super.emptyStream();
	}

	@Test
	@Override
	public void cancelAfterBegin() throws Exception {
		super.cancelAfterBegin();
	}

	@Test
	@Override
	public void cancelAfterFirstResponse() throws Exception {
		super.cancelAfterFirstResponse();
	}

	@Test
	@Override
	public void fullDuplexCallShouldSucceed() throws Exception {
		super.fullDuplexCallShouldSucceed();
	}

	@Test
	@Override
	public void halfDuplexCallShouldSucceed() throws Exception {
		super.halfDuplexCallShouldSucceed();
	}

	@Test
	@Override
	public void serverStreamingShouldBeFlowControlled() throws Exception {
		super.serverStreamingShouldBeFlowControlled();
	}

	@Test
	@Override
	public void veryLargeRequest() throws Exception {
		super.veryLargeRequest();
	}

	@Test
	@Override
	public void veryLargeResponse() throws Exception {
		super.veryLargeResponse();
	}

	@Test
	@Override
	public void exchangeMetadataUnaryCall() throws Exception {
		super.exchangeMetadataUnaryCall();
	}

	@Test
	@Override
	public void exchangeMetadataStreamingCall() throws Exception {
		super.exchangeMetadataStreamingCall();
	}

	@Test
	@Override
	public void sendsTimeoutHeader() {
		super.sendsTimeoutHeader();
	}

	@Test
	@Override
	public void deadlineNotExceeded() {
		super.deadlineNotExceeded();
	}

	@Test
	@Override
	public void deadlineExceeded() throws Exception {
		super.deadlineExceeded();
	}

	@Test
	@Override
	public void deadlineExceededServerStreaming() throws Exception {
		super.deadlineExceededServerStreaming();
	}

	@Test
	@Override
	public void deadlineInPast() throws Exception {
		super.deadlineInPast();
	}

	@Test
	@Override
	public void maxInboundSize_exact() {
		super.maxInboundSize_exact();
	}

	@Test
	@Override
	public void maxInboundSize_tooBig() {
		super.maxInboundSize_tooBig();
	}

	@Test
	@Override
	public void maxOutboundSize_exact() {
		super.maxOutboundSize_exact();
	}

	@Test
	@Override
	public void maxOutboundSize_tooBig() {
		super.maxOutboundSize_tooBig();
	}

	@Test
	@Override
	public void gracefulShutdown() throws Exception {
		super.gracefulShutdown();
	}

	@Test
	@Override
	public void customMetadata() throws Exception {
		super.customMetadata();
	}

	@Test
	@Override
	public void censusContextsPropagated() {
		super.censusContextsPropagated();
	}

	@Test
	@Override
	public void statusCodeAndMessage() throws Exception {
		super.statusCodeAndMessage();
	}

	@Test
	@Override
	public void specialStatusMessage() throws Exception {
		super.specialStatusMessage();
	}

	@Test
	@Override
	public void unimplementedMethod() {
		super.unimplementedMethod();
	}

	@Test
	@Override
	public void unimplementedService() {
		super.unimplementedService();
	}

	@Test
	@Override
	public void timeoutOnSleepingServer() throws Exception {
		super.timeoutOnSleepingServer();
	}

	@Test
	@Override
	public void getServerAddressAndLocalAddressFromClient() {
		super.getServerAddressAndLocalAddressFromClient();
	}

	/** The client bean: its stubs are injected by the starter. */
	static class InteropClient {

		@GrpcClient(SERVICE)
		TestServiceGrpc.TestServiceBlockingStub blocking;

		@GrpcClient(SERVICE)
		TestServiceGrpc.TestServiceStub async;

		AnnotationConfigApplicationContext context;

		int port;

		final AtomicLong breakerCalls = new AtomicLong();

	}

	/** Keeps the server {@code AbstractInteropTest} builds, for its port and its termination. */
	private final class CapturingServerBuilder extends ForwardingServerBuilder<CapturingServerBuilder> {

		private final ServerBuilder<?> delegate;

		CapturingServerBuilder(ServerBuilder<?> delegate) {
			this.delegate = delegate;
		}

		@Override
		protected ServerBuilder<?> delegate() {
			return this.delegate;
		}

		@Override
		public Server build() {
			GrpcClientInteropTestBase.this.server = this.delegate.build();
			return GrpcClientInteropTestBase.this.server;
		}

	}

}
