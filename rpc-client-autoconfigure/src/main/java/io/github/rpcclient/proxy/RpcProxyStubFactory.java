package io.github.rpcclient.proxy;

import io.github.rpcclient.stub.StubFactory;
import io.grpc.Channel;

/**
 * Lets {@code @GrpcClient("name") RpcProxy proxy} fields and setters receive a proxy of the
 * service, made by the {@link RpcProxyFactory} on the injection's channel.
 */
public class RpcProxyStubFactory implements StubFactory {

	private final RpcProxyFactory factory;

	/**
	 * Creates the stub factory.
	 * @param factory makes the proxies
	 */
	public RpcProxyStubFactory(RpcProxyFactory factory) {
		this.factory = factory;
	}

	@Override
	public boolean supports(Class<?> stubType) {
		return stubType == RpcProxy.class;
	}

	@Override
	public <T> T create(Class<T> stubType, Channel channel) {
		throw new IllegalArgumentException("An RpcProxy needs its service's name: use RpcProxyFactory.proxy(name)");
	}

	@Override
	public <T> T create(Class<T> stubType, Channel channel, String serviceName) {
		return stubType.cast(this.factory.proxy(serviceName, channel));
	}

}
