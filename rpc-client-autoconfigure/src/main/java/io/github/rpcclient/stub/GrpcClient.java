package io.github.rpcclient.stub;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.grpc.ClientInterceptor;

/**
 * Injects a stub of a configured service, or the service's {@link io.grpc.Channel}, into a field
 * (superclass fields too) or a setter method:
 *
 * <pre class="code">
 * &#64;GrpcClient("book-service")
 * BookServiceGrpc.BookServiceBlockingStub books;
 * </pre>
 *
 * All stubs of a service share its one channel. For constructor or {@code @Bean} injection, use
 * {@link GrpcClientFactory}.
 */
@Target({ ElementType.FIELD, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface GrpcClient {

	/**
	 * @return the service name, as in {@code grpc-clients.services[].name}
	 */
	String value();

	/**
	 * Interceptors for this injection only, run before the service's chain (first listed runs
	 * first). Each is the bean of that type if there is one, or else a new instance.
	 * @return the interceptor types
	 */
	Class<? extends ClientInterceptor>[] interceptors() default {};

}
