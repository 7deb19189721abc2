package io.github.rpcclient.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Lettuce connection factories made by Spring Boot's own {@link RedisAutoConfiguration} from
 * {@code spring.data.redis.*} properties, exactly as an application gets its Redis Cluster or
 * Sentinel connection, each in a small context of its own (closed by {@link #close()}).
 */
public final class BootRedisConnections implements AutoCloseable {

	private final List<AnnotationConfigApplicationContext> contexts = new CopyOnWriteArrayList<>();

	/**
	 * Creates a started connection factory.
	 * @param properties {@code spring.data.redis.*} properties ({@code name=value})
	 * @return the application's connection factory for these properties
	 */
	public LettuceConnectionFactory create(String... properties) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		TestPropertyValues.of(properties).applyTo(context);
		context.register(RedisAutoConfiguration.class);
		context.refresh();
		this.contexts.add(context);
		return context.getBean(LettuceConnectionFactory.class);
	}

	@Override
	public void close() {
		this.contexts.forEach(AnnotationConfigApplicationContext::close);
		this.contexts.clear();
	}

}
