package io.github.rpcclient.channel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

import io.github.rpcclient.settings.GrpcAddress;
import io.github.rpcclient.settings.GrpcClientStartupException;
import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.okhttp.OkHttpChannelBuilder;

/**
 * Channels on grpc-java's OkHttp transport ({@code io.grpc:grpc-okhttp}), for applications that
 * have neither Netty transport. OkHttp has no connect-timeout option, so connections are opened by
 * a socket factory that applies the service's {@code connect-timeout}. Unix-socket addresses need
 * Netty.
 */
public class OkHttpChannelTransport implements ChannelTransport {

	@Override
	public ManagedChannelBuilder<?> newChannelBuilder(GrpcAddress address, ChannelCredentials credentials,
			ServiceSettings service) {
		if (address.kind() == GrpcAddress.Kind.UNIX) {
			throw new GrpcClientStartupException("gRPC service '" + service.name() + "' has the Unix-socket address '"
					+ address.text() + "', which grpc-okhttp, this application's transport, cannot reach.",
					"Add io.grpc:grpc-netty-shaded (or grpc-netty), or use a host:port address.");
		}
		return OkHttpChannelBuilder.forTarget(address.target(), credentials)
			.socketFactory(new ConnectTimeoutSocketFactory(ChannelTransport.connectTimeoutMillis(service)));
	}

	/** Opens plain sockets, waiting at most the connect timeout for the connection. */
	private static final class ConnectTimeoutSocketFactory extends SocketFactory {

		private final int timeoutMillis;

		ConnectTimeoutSocketFactory(int timeoutMillis) {
			this.timeoutMillis = timeoutMillis;
		}

		@Override
		public Socket createSocket() {
			return new Socket();
		}

		@Override
		public Socket createSocket(String host, int port) throws IOException {
			return connect(new InetSocketAddress(host, port), null);
		}

		@Override
		public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
			return connect(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
		}

		@Override
		public Socket createSocket(InetAddress host, int port) throws IOException {
			return connect(new InetSocketAddress(host, port), null);
		}

		@Override
		public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
				throws IOException {
			return connect(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
		}

		private Socket connect(InetSocketAddress remote, InetSocketAddress local) throws IOException {
			Socket socket = new Socket();
			try {
				if (local != null) {
					socket.bind(local);
				}
				socket.connect(remote, this.timeoutMillis);
				return socket;
			}
			catch (IOException ex) {
				socket.close();
				throw ex;
			}
		}

	}

}
