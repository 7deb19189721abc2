package io.github.rpcclient.properties;

/**
 * Calls by message id ({@code RpcProxy}) and the router that answers them: {@code grpc-clients.proxy.*}.
 * Per-service stream settings are under {@code grpc-clients.defaults.proxy} and
 * {@code grpc-clients.services[].proxy}.
 */
public class RpcProxyProperties {

	/**
	 * Name of this application sent as the source service of every call; defaults to
	 * 'spring.application.name'.
	 */
	private String sourceService;

	/**
	 * Router side.
	 */
	private final Server server = new Server();

	public String getSourceService() {
		return this.sourceService;
	}

	public void setSourceService(String sourceService) {
		this.sourceService = sourceService;
	}

	public Server getServer() {
		return this.server;
	}

	/**
	 * The router side: a RouterService bean dispatching calls to '@RpcHandler' methods.
	 */
	public static class Server {

		/**
		 * Whether to define the RouterService bean (register it with your gRPC server) and
		 * collect '@RpcHandler' methods.
		 */
		private boolean enabled = false;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}
