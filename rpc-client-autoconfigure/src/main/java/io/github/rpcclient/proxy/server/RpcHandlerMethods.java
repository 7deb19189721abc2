package io.github.rpcclient.proxy.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import io.github.rpcclient.proxy.RpcContent;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers the {@link RpcHandler @RpcHandler} methods of every bean with the
 * {@link RpcHandlerRegistry}, once the bean is initialized (so through its proxy, if it has one).
 * A method with more than one parameter, or a message id handled twice, fails start-up naming the
 * method.
 */
public class RpcHandlerMethods implements BeanPostProcessor {

	private final ObjectProvider<RpcHandlerRegistry> registry;

	/**
	 * Creates the post-processor; the registry is looked up on first use.
	 * @param registry the registry
	 */
	public RpcHandlerMethods(ObjectProvider<RpcHandlerRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> type = AopUtils.getTargetClass(bean);
		ReflectionUtils.doWithMethods(type, (method) -> {
			RpcHandler annotation = AnnotatedElementUtils.findMergedAnnotation(method, RpcHandler.class);
			if (annotation != null) {
				register(bean, beanName, method, annotation.value());
			}
		}, ReflectionUtils.USER_DECLARED_METHODS);
		return bean;
	}

	private void register(Object bean, String beanName, Method method, String messageId) {
		if (method.getParameterCount() > 1) {
			throw new IllegalStateException("@RpcHandler(\"" + messageId + "\") method " + method
					+ " of bean '" + beanName + "' must take at most one parameter");
		}
		Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
		ReflectionUtils.makeAccessible(invocable);
		Class<?> parameter = (method.getParameterCount() == 1) ? method.getParameterTypes()[0] : null;
		try {
			this.registry.getObject().register(messageId, (request) -> invoke(bean, invocable, argument(parameter, request)));
		}
		catch (IllegalStateException ex) {
			throw new IllegalStateException(ex.getMessage() + ": " + method + " of bean '" + beanName + "'", ex);
		}
	}

	private static Object[] argument(Class<?> parameter, RpcRequest request) {
		if (parameter == null) {
			return new Object[0];
		}
		if (parameter == RpcRequest.class) {
			return new Object[] { request };
		}
		if (parameter == RpcContent.class) {
			return new Object[] { request.content() };
		}
		return new Object[] { request.content().as(parameter) };
	}

	private static Object invoke(Object bean, Method method, Object[] arguments) throws Exception {
		try {
			return method.invoke(bean, arguments);
		}
		catch (InvocationTargetException ex) {
			if (ex.getCause() instanceof Exception cause) {
				throw cause;
			}
			throw ex;
		}
	}

}
