package io.github.rpcclient.autoconfigure;

import io.github.rpcclient.channel.ChannelTransport;
import io.github.rpcclient.channel.NettyChannelTransport;
import io.github.rpcclient.channel.OkHttpChannelTransport;
import io.github.rpcclient.channel.ShadedNettyChannelTransport;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link ChannelTransport} of the application, by what is on its classpath: grpc-netty-shaded,
 * else grpc-netty, else grpc-okhttp. Imported in that order by {@link GrpcClientsAutoConfiguration},
 * so that the first one present wins; a {@code ChannelTransport} bean of the application's own
 * replaces them all.
 */
final class ChannelTransportConfigurations {

	private ChannelTransportConfigurations() {
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder")
	@ConditionalOnMissingBean(ChannelTransport.class)
	static class ShadedNetty {

		@Bean
		ShadedNettyChannelTransport grpcShadedNettyChannelTransport() {
			return new ShadedNettyChannelTransport();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.grpc.netty.NettyChannelBuilder")
	@ConditionalOnMissingBean(ChannelTransport.class)
	static class Netty {

		@Bean
		NettyChannelTransport grpcNettyChannelTransport() {
			return new NettyChannelTransport();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.grpc.okhttp.OkHttpChannelBuilder")
	@ConditionalOnMissingBean(ChannelTransport.class)
	static class OkHttp {

		@Bean
		OkHttpChannelTransport grpcOkHttpChannelTransport() {
			return new OkHttpChannelTransport();
		}

	}

}
