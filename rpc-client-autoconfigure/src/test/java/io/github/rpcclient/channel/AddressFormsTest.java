package io.github.rpcclient.channel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.autoconfigure.GrpcClientsAutoConfiguration;
import io.github.rpcclient.test.EchoServiceImpl;
import io.github.rpcclient.test.StartupFailures;
import io.github.rpcclient.test.TestBackend;
import io.github.rpcclient.test.proto.EchoRequest;
import io.github.rpcclient.test.proto.EchoServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Every address form reaches a real server: static lists with round-robin, in-process, DNS and
 * Unix domain sockets.
 */
class AddressFormsTest {

	private static TestBackend pod1;

	private static TestBackend pod2;

	@BeforeAll
	static void startBackends() {
		pod1 = TestBackend.start(1);
		pod2 = TestBackend.start(2);
	}

	@AfterAll
	static void stopBackends() {
		pod1.close();
		pod2.close();
	}

	private static ApplicationContextRunner runner(String address, String... properties) {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withPropertyValues("grpc-clients.services[0].name=echo", "grpc-clients.services[0].address=" + address)
			.withPropertyValues(properties);
	}

	@Test
	void staticListWithRoundRobinSpreadsCallsOverEveryBackend() {
		runner("static://" + pod1.address() + "," + pod2.address(),
				"grpc-clients.services[0].load-balancing-policy=round_robin")
			.run((context) -> {
				EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
				Set<Integer> pods = ConcurrentHashMap.newKeySet();
				await("calls answered by both pods").atMost(Duration.ofSeconds(5))
					.until(() -> {
						pods.add(stub.echo(request()).getPod());
						return pods.size() == 2;
					});
				int[] counts = new int[3];
				for (int i = 0; i < 10; i++) {
					counts[stub.echo(request()).getPod()]++;
				}
				assertThat(counts[1]).as("calls to pod 1").isEqualTo(5);
				assertThat(counts[2]).as("calls to pod 2").isEqualTo(5);
			});
	}

	@Test
	void staticListWithPickFirstSticksToOneBackend() {
		runner("static://" + pod1.address() + ", " + pod2.address()).run((context) -> {
			EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
			for (int i = 0; i < 5; i++) {
				assertThat(stub.echo(request()).getPod()).isEqualTo(1);
			}
		});
	}

	/**
	 * The starter registers its {@code static} resolver with grpc-java for the whole JVM, so it also
	 * serves channels the starter does not build: grpc-spring's and plain grpc-java's
	 * {@code static://host:port} targets (the authority form; grpc-java's own target parser refuses a
	 * comma in an authority, so a list there never reaches a resolver), beside the starter's own
	 * {@code static:///...} (the path form it builds from the same address).
	 */
	@Test
	void aStaticTargetOfAChannelTheStarterDoesNotBuildResolves() {
		ManagedChannel channel = Grpc.newChannelBuilder("static://" + pod2.address(), InsecureChannelCredentials.create())
			.build();
		try {
			assertThat(EchoServiceGrpc.newBlockingStub(channel)
				.withDeadlineAfter(5, TimeUnit.SECONDS)
				.echo(request())
				.getPod()).isEqualTo(2);
		}
		finally {
			channel.shutdownNow();
		}
	}

	@Test
	void hostAndPortAndDnsTargetsWork() {
		runner(pod1.address()).run((context) -> assertThat(stub(context).echo(request()).getPod()).isEqualTo(1));
		runner("dns:///" + pod2.address()).run((context) -> assertThat(stub(context).echo(request()).getPod()).isEqualTo(2));
		runner("localhost:" + pod2.port()).run((context) -> assertThat(stub(context).echo(request()).getPod()).isEqualTo(2));
	}

	@Test
	void ipv6LiteralsInHostPortDnsAndStaticAddressesWork() throws Exception {
		Server server;
		try {
			server = NettyServerBuilder.forAddress(new InetSocketAddress("::1", 0), InsecureServerCredentials.create())
				.addService(new EchoServiceImpl(7))
				.build()
				.start();
		}
		catch (IOException ex) {
			assumeThat(ex).as("IPv6 loopback is not available here").isNull();
			return;
		}
		try {
			String address = "[::1]:" + server.getPort();
			runner(address).run((context) -> assertThat(stub(context).echo(request()).getPod()).isEqualTo(7));
			runner("dns:///" + address).run((context) -> assertThat(stub(context).echo(request()).getPod()).isEqualTo(7));
			runner("static://" + address + "," + pod1.address(), "grpc-clients.services[0].load-balancing-policy=round_robin")
				.run((context) -> {
					EchoServiceGrpc.EchoServiceBlockingStub stub = stub(context);
					Set<Integer> pods = ConcurrentHashMap.newKeySet();
					await("calls answered by both backends").atMost(Duration.ofSeconds(5)).until(() -> {
						pods.add(stub.echo(request()).getPod());
						return pods.size() == 2;
					});
					assertThat(pods).containsExactlyInAnyOrder(1, 7);
				});
		}
		finally {
			server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	@Test
	void inProcessServerIsReached() throws Exception {
		String name = "address-forms-" + System.nanoTime();
		Server server = InProcessServerBuilder.forName(name).addService(new EchoServiceImpl(5)).build().start();
		try {
			runner("in-process:" + name).run((context) -> assertThat(stub(context).echo(request()).getPod()).isEqualTo(5));
		}
		finally {
			server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	@Test
	void unixAddressOnOkHttpFailsStartUpNamingTheFix() {
		// an application's own ChannelTransport bean replaces the one chosen by the classpath
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GrpcClientsAutoConfiguration.class))
			.withBean(ChannelTransport.class, OkHttpChannelTransport::new)
			.withPropertyValues("grpc-clients.services[0].name=local", "grpc-clients.services[0].address=unix:/tmp/x.sock")
			.run((context) -> {
				FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'local'", "unix:/tmp/x.sock", "grpc-okhttp");
				assertThat(analysis.getAction()).contains("grpc-netty-shaded");
			});
	}

	@Test
	void unixDomainSocketIsReached(@TempDir Path directory) throws Exception {
		assumeThat(Epoll.isAvailable())
			.as("Unix domain sockets need grpc-netty-shaded's native epoll transport, unavailable here: %s",
					Epoll.unavailabilityCause())
			.isTrue();
		Path socket = directory.resolve("echo.sock");
		EpollEventLoopGroup group = new EpollEventLoopGroup(1);
		Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
			.channelType(EpollServerDomainSocketChannel.class)
			.bossEventLoopGroup(group)
			.workerEventLoopGroup(group)
			.addService(new EchoServiceImpl(6))
			.build()
			.start();
		try {
			assertThat(Files.exists(socket)).isTrue();
			runner("unix:" + socket).run((context) -> assertThat(stub(context).echo(request()).getPod()).isEqualTo(6));
		}
		finally {
			server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
		}
	}

	private static EchoServiceGrpc.EchoServiceBlockingStub stub(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return EchoServiceGrpc.newBlockingStub(context.getBean(ManagedChannelRegistry.class).getCallChannel("echo"));
	}

	private static EchoRequest request() {
		return EchoRequest.newBuilder().setMessage("where").build();
	}

}
