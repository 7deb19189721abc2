package io.github.rpcclient.route;

import java.time.Duration;
import java.util.List;

import io.github.rpcclient.channel.ChannelCredentialsFactory;
import io.github.rpcclient.channel.FailingClientCall;
import io.github.rpcclient.channel.GrpcChannelFactory;
import io.github.rpcclient.channel.ShadedNettyChannelTransport;
import io.github.rpcclient.properties.ServiceProperties;
import io.github.rpcclient.properties.ServicePropertiesBinder;
import io.github.rpcclient.settings.ServiceSettingsFactory;
import io.github.rpcclient.test.EmbeddedRedis;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc.EchoServiceBlockingStub;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The routing interceptor and the pod channel on their own: failures on a pod, a Redis outage on
 * the call path, bad users.
 */
class StatefulRouteInterceptorTest {

	private static final String NS = RoutingFixture.NS;

	private static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("hi").build();

	private EmbeddedRedis redis;

	private RoutingFixture client;

	private TestBackend pod1;

	private TestBackend pod2;

	private PodHeartbeatPublisher publisher1;

	private ManagedChannel pods;

	private StatefulRouteInterceptor interceptor;

	@BeforeEach
	void start() {
		this.redis = EmbeddedRedis.start();
		this.client = new RoutingFixture(this.redis,
				(properties) -> properties.setCommandTimeout(Duration.ofMillis(500)));
		this.pod1 = TestBackend.start(1);
		this.pod2 = TestBackend.start(2);
		this.publisher1 = this.client.publish("session", 1, 0, this.pod1.address());
		this.client.publish("session", 2, 1, this.pod2.address());
		ServiceProperties service = new ServiceProperties("session", null);
		service.setStateful(true);
		StatefulTransportProvider transport = new StatefulTransportProvider(this.client.registry,
				new GrpcChannelFactory(new ShadedNettyChannelTransport(), new ChannelCredentialsFactory(null), List.of(), List.of()),
				NS);
		this.pods = transport.channelFor(
				new ServiceSettingsFactory(new ServicePropertiesBinder(new Binder()), null, false).resolve(service));
		this.interceptor = new StatefulRouteInterceptor("session", this.client.driver, this.client.registry);
	}

	@AfterEach
	void stop() {
		this.pods.shutdownNow();
		this.client.close();
		this.pod1.close();
		this.pod2.close();
		this.redis.close();
	}

	private EchoServiceBlockingStub stub(Channel next, String uid) {
		return EchoServiceGrpc.newBlockingStub(ClientInterceptors.intercept(next, this.interceptor))
			.withOption(StatefulRouting.UID, uid);
	}

	@Test
	void unavailableOnAPodThenFoundUnavailableExpiresTheCachedLink() {
		assertThat(stub(this.pods, "u1").echo(REQUEST).getPod()).isEqualTo(1);
		Channel podDiesDuringTheCall = new Channel() {

			@Override
			public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method,
					CallOptions options) {
				assertThat(options.getOption(StatefulRouting.POD)).isEqualTo(1);
				StatefulRouteInterceptorTest.this.publisher1.setState(PodState.DOWN);
				StatefulRouteInterceptorTest.this.client.registry.refresh();
				return new FailingClientCall<>(Status.UNAVAILABLE.withDescription("connection refused"), options.getExecutor());
			}

			@Override
			public String authority() {
				return "session";
			}

		};
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> stub(podDiesDuringTheCall, "u1").echo(REQUEST));
		assertThat(this.client.driver.getLinkedInCache(NS, "u1", "session")).isEmpty();
		assertThat(stub(this.pods, "u1").echo(REQUEST).getPod()).isEqualTo(2);
	}

	@Test
	void unavailableOnAPodThatIsStillAvailableKeepsTheLink() {
		assertThat(stub(this.pods, "u1").echo(REQUEST).getPod()).isEqualTo(1);
		this.pod1.service().failNext("Echo", 1, Status.UNAVAILABLE);
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> stub(this.pods, "u1").echo(REQUEST))
			.extracting((ex) -> ex.getStatus().getCode())
			.isEqualTo(Status.Code.UNAVAILABLE);
		assertThat(this.client.driver.getLinkedInCache(NS, "u1", "session")).hasValue(1);
		assertThat(stub(this.pods, "u1").echo(REQUEST).getPod()).isEqualTo(1);
	}

	@Test
	void aRedisOutageFailsNewUsersWithUnavailableAndServesCachedOnes() {
		int cached = stub(this.pods, "cached").echo(REQUEST).getPod();
		this.redis.stop();
		this.client.registry.refresh();

		assertThat(stub(this.pods, "cached").echo(REQUEST).getPod()).isEqualTo(cached);
		long start = System.nanoTime();
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> stub(this.pods, "new").echo(REQUEST))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
				assertThat(ex.getStatus().getDescription()).contains("did not answer within 500ms");
				assertThat(ex.getStatus().getCause()).isInstanceOf(RouteStoreUnavailableException.class);
			});
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
	}

	@Test
	void anInvalidUserFailsWithInvalidArgument() {
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> stub(this.pods, "x".repeat(300)).echo(REQUEST))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
				assertThat(ex.getStatus().getDescription()).startsWith("uid must be at most 256 characters");
			});
	}

	@Test
	void podsOfAShutDownChannelAreNotAvailable() {
		assertThat(stub(this.pods, "u1").echo(REQUEST).getPod()).isEqualTo(1);
		assertThat(this.client.registry.isAvailable(NS, "session", 1)).isTrue();
		this.pods.shutdown();
		assertThat(this.client.registry.isAvailable(NS, "session", 1)).isFalse();
		assertThat(this.client.driver.computeLinkedPod(NS, "u1", "session")).isEmpty();
	}

	@Test
	void aPodThatLeavesTheRegistryLosesItsChannel() {
		assertThat(stub(this.pods, "u1").echo(REQUEST).getPod()).isEqualTo(1);
		PodRoutingChannel channel = (PodRoutingChannel) this.pods;
		channel.podRemoved(1);
		assertThat(channel.isShutdown(1)).as("no channel left to be shut down").isFalse();
		assertThat(stub(this.pods, "u1").echo(REQUEST).getPod()).as("a new channel if it comes back").isEqualTo(1);
	}

}
