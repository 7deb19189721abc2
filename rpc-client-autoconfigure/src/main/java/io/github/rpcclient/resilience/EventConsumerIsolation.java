package io.github.rpcclient.resilience;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import io.github.resilience4j.core.EventConsumer;
import io.github.resilience4j.core.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.lang.Nullable;

/**
 * Isolates the application's consumers of a Resilience4j instance's events from the calls that
 * publish them. Resilience4j's retry, bulkhead and rate limiter publish their events on the
 * call's own path and do not catch what a consumer throws (its circuit breaker catches and logs
 * it): the call would end without its status, a retry would stop, a bulkhead place taken as the
 * call was permitted could not be told from one refused, or a permitted call would throw as it
 * starts.
 * <p>
 * The instance put in Resilience4j's registry is a view of the real one whose event publisher
 * wraps every consumer registered through it (by the registry's consumers, the actuator, metrics
 * or the application): a throw is logged, as the circuit breaker logs it, and the call goes on
 * with Resilience4j's decision. The calls use the real instance, so the view costs them nothing.
 */
final class EventConsumerIsolation {

	private static final Logger logger = LoggerFactory.getLogger(EventConsumerIsolation.class);

	private EventConsumerIsolation() {
	}

	/**
	 * Puts the view of an instance in its registry under the instance's name, in place of the
	 * instance the registry had or creates for that name: the registry only takes instances it
	 * creates, and replacing one makes its consumers (actuator events, metrics, the application's
	 * {@code RegistryEventConsumer}s) register on the view, so on the instance the calls use.
	 * @param registry the registry
	 * @param name the instance's name
	 * @param type the instance's interface, such as {@code Retry}
	 * @param instance the real instance
	 * @param createInRegistry creates the registry's own instance of the name
	 * @param kind what the instance is, such as {@code retry}, for the log
	 * @param <T> the interface
	 * @return the real instance, for the calls
	 */
	static <T> T register(Registry<T, ?> registry, String name, Class<T> type, T instance, Runnable createInRegistry,
			String kind) {
		if (registry.find(name).isEmpty()) {
			createInRegistry.run();
		}
		registry.replace(name, type.cast(view(type, instance, kind + " '" + name + "'", false)));
		return instance;
	}

	/**
	 * @param publisher whether the target is an event publisher, whose consumers are isolated;
	 * otherwise an instance, whose event publisher is viewed so
	 */
	private static Object view(Class<?> type, Object target, String label, boolean publisher) {
		return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
			if (publisher && args != null) {
				for (int i = 0; i < args.length; i++) {
					if (args[i] instanceof EventConsumer<?> consumer) {
						args[i] = isolated(consumer, label);
					}
				}
			}
			Object result = invoke(target, method, args);
			if (result == target) {
				return proxy; // a publisher's chained calls
			}
			if (!publisher && result != null && method.getName().equals("getEventPublisher")) {
				return view(method.getReturnType(), result, label, true);
			}
			return result;
		});
	}

	@Nullable
	private static Object invoke(Object target, Method method, @Nullable Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	private static <E> EventConsumer<E> isolated(EventConsumer<E> consumer, String label) {
		return (event) -> {
			try {
				consumer.consumeEvent(event);
			}
			catch (RuntimeException ex) {
				logger.warn("An event consumer of Resilience4j {} failed on {}; the call goes on", label, event, ex);
			}
		};
	}

}
