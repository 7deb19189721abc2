package io.github.rpcclient.proxy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rpcclient.channel.ManagedChannelRegistry;
import io.github.rpcclient.proxy.wire.RouterServiceGrpc;
import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.StatefulRouteDriver;
import io.github.rpcclient.settings.MethodSettings;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;

import org.springframework.context.SmartLifecycle;

/**
 * Creates {@link RpcProxy RpcProxies} of configured services, for constructor and {@code @Bean}
 * injection ({@code @GrpcClient("name") RpcProxy} fields use it too). A proxy calls the service's
 * channel through its interceptor chain; a stateful service's proxy needs stateful routing (Redis).
 * <p>
 * The factory owns one timer thread for the deadlines of stream calls. It closes every proxy it
 * made when the application stops, before the channels shut down, so no stream holds up their
 * graceful shutdown.
 */
public class RpcProxyFactory implements SmartLifecycle, AutoCloseable {

	private final ManagedChannelRegistry registry;

	private final String sourceService;

	private final ObjectMapper mapper;

	private final StatefulRouteDriver driver;

	private final PodRegistry pods;

	private final ScheduledThreadPoolExecutor timer;

	private final Set<ProxyCore> proxies = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile boolean running;

	/**
	 * Creates the factory.
	 * @param registry the channels
	 * @param sourceService the name sent as the source service of every call
	 * @param mapper writes and reads typed JSON content
	 * @param driver the user-to-pod links, or {@code null} without stateful routing
	 * @param pods the pods of stateful services, or {@code null} without stateful routing
	 */
	public RpcProxyFactory(ManagedChannelRegistry registry, String sourceService, ObjectMapper mapper,
			StatefulRouteDriver driver, PodRegistry pods) {
		this.registry = registry;
		this.sourceService = sourceService;
		this.mapper = mapper;
		this.driver = driver;
		this.pods = pods;
		this.timer = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "rpc-proxy-timer");
			thread.setDaemon(true);
			return thread;
		});
		this.timer.setRemoveOnCancelPolicy(true);
	}

	/**
	 * Creates a proxy of a service.
	 * @param serviceName the service name
	 * @param interceptors interceptors for this proxy only, run first to last before the service's chain
	 * @return the proxy
	 * @throws io.github.rpcclient.channel.UnknownServiceException if there is no such service
	 */
	public RpcProxy proxy(String serviceName, ClientInterceptor... interceptors) {
		Channel channel = this.registry.getCallChannel(serviceName);
		return proxy(serviceName,
				(interceptors.length == 0) ? channel : ClientInterceptors.interceptForward(channel, interceptors));
	}

	/**
	 * Creates a proxy of a service that calls a given channel (the service's call channel, maybe
	 * behind more interceptors).
	 * @param serviceName the service name
	 * @param channel the channel
	 * @return the proxy
	 */
	public RpcProxy proxy(String serviceName, Channel channel) {
		if (this.closed.get()) {
			throw new IllegalStateException("The RpcProxyFactory is closed (the application is shutting down)");
		}
		ServiceSettings service = this.registry.get(serviceName).settings();
		CallTarget target;
		Duration defaultTimeout;
		if (service.stateful()) {
			if (this.driver == null || this.pods == null) {
				throw new IllegalStateException("Service '" + serviceName
						+ "' is stateful, but there is no stateful routing (it needs Spring Data Redis with Lettuce and Caffeine)");
			}
			target = new StreamTarget(channel, serviceName, service.proxy(), this.driver, this.pods, this.timer);
			MethodSettings method = service.method(RouterServiceGrpc.getStreamCallMethod().getFullMethodName());
			defaultTimeout = (method != null && method.timeout() != null) ? method.timeout() : service.timeout();
		}
		else {
			target = new UnaryTarget(channel, serviceName);
			defaultTimeout = Duration.ZERO;
		}
		ProxyCore[] holder = new ProxyCore[1];
		ProxyCore core = new ProxyCore(serviceName, this.sourceService, service.stateful(), target, this.mapper,
				defaultTimeout, () -> this.proxies.remove(holder[0]));
		holder[0] = core;
		this.proxies.add(core);
		return new RpcProxy(core, null);
	}

	/** @return the name sent as the source service of every call */
	public String sourceService() {
		return this.sourceService;
	}

	/**
	 * Closes every proxy this factory made and stops its timer. Idempotent.
	 */
	@Override
	public void close() {
		if (this.closed.compareAndSet(false, true)) {
			this.running = false;
			this.proxies.forEach(ProxyCore::close);
			this.timer.shutdown();
			try {
				this.timer.awaitTermination(1, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stopped just before the channel registry, so that streams end before channels drain. */
	@Override
	public int getPhase() {
		return ManagedChannelRegistry.PHASE + 1;
	}

}
