package io.github.rpcclient.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.github.rpcclient.channel.GrpcGlobalClientInterceptor;
import io.github.rpcclient.channel.ServiceInterceptorProvider;
import io.github.rpcclient.settings.GrpcClientStartupException;
import io.grpc.ClientInterceptor;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Finds the {@link GrpcGlobalClientInterceptor @GrpcGlobalClientInterceptor} beans and places each
 * in the chain by its {@link Ordered order} or {@link Order @Order}, last when it has neither.
 */
final class GlobalClientInterceptors {

	private GlobalClientInterceptors() {
	}

	static List<ServiceInterceptorProvider> find(ListableBeanFactory beanFactory) {
		List<ServiceInterceptorProvider> providers = new ArrayList<>();
		for (String name : beanFactory.getBeanNamesForAnnotation(GrpcGlobalClientInterceptor.class)) {
			Object bean = beanFactory.getBean(name);
			if (!(bean instanceof ClientInterceptor interceptor)) {
				throw new GrpcClientStartupException(
						"Bean '" + name + "' is marked @GrpcGlobalClientInterceptor but is a " + bean.getClass().getName()
								+ ", not an io.grpc.ClientInterceptor.",
						"Remove the annotation or make the bean implement io.grpc.ClientInterceptor.");
			}
			Order order = beanFactory.findAnnotationOnBean(name, Order.class);
			int position = (bean instanceof Ordered ordered) ? ordered.getOrder()
					: (order != null) ? order.value() : Ordered.LOWEST_PRECEDENCE;
			providers.add(ServiceInterceptorProvider.global(interceptor, position));
		}
		return providers;
	}

}
