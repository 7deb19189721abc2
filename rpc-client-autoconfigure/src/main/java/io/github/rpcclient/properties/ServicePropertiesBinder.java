package io.github.rpcclient.properties;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Binds service definitions that inherit {@code grpc-clients.defaults}: a service is bound from
 * {@code grpc-clients.defaults} first and from its own {@code grpc-clients.services[i]} keys on
 * top, so every key it leaves unset, nested ones included, keeps the default. A method's
 * {@code retry} and {@code hedging} blocks are layered the same way on top of its service's. Binding only: nothing is
 * checked here.
 */
public class ServicePropertiesBinder {

	/** The prefix of the defaults every service inherits. */
	public static final String DEFAULTS = "grpc-clients.defaults";

	/** The prefix of the configured services. */
	public static final String SERVICES = "grpc-clients.services";

	private final Binder binder;

	/**
	 * Creates the binder over an environment's properties.
	 * @param binder the binder over the environment
	 */
	public ServicePropertiesBinder(Binder binder) {
		this.binder = binder;
	}

	/**
	 * Binds every configured service.
	 * @param count the number of entries under {@code grpc-clients.services}
	 * @return the services, in configuration order
	 */
	public List<ServiceProperties> bindConfiguredServices(int count) {
		List<ServiceProperties> services = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String path = SERVICES + "[" + i + "]";
			ServiceProperties service = bind(new ServiceProperties(), DEFAULTS, path);
			for (int m = 0; m < service.getMethods().size(); m++) {
				String methodRetry = path + ".methods[" + m + "].retry";
				if (service.getMethods().get(m).getRetry() != null) {
					RetryProperties retry = bind(new RetryProperties(), DEFAULTS + ".retry", path + ".retry",
							methodRetry);
					service.getMethods().get(m).setRetry(retry);
				}
				if (service.getMethods().get(m).getHedging() != null) {
					HedgingProperties hedging = bind(new HedgingProperties(), DEFAULTS + ".hedging", path + ".hedging",
							path + ".methods[" + m + "].hedging");
					service.getMethods().get(m).setHedging(hedging);
				}
			}
			services.add(service);
		}
		return services;
	}

	/**
	 * Binds a service for runtime registration that has the configured defaults.
	 * @param name the service name
	 * @param address the service address
	 * @return the service, to adjust further before registering it
	 */
	public ServiceProperties newService(String name, String address) {
		ServiceProperties service = bind(new ServiceProperties(), DEFAULTS);
		service.setName(name);
		service.setAddress(address);
		return service;
	}

	private <T> T bind(T target, String... layers) {
		Bindable<T> bindable = Bindable.ofInstance(target);
		for (String layer : layers) {
			this.binder.bind(layer, bindable);
		}
		return target;
	}

}
