package io.github.rpcclient.channel;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link io.grpc.ClientInterceptor} bean (its class or its {@code @Bean} method) to be
 * applied to the calls of every service. Its {@link org.springframework.core.Ordered order}
 * places it in the chain among the built-in interceptors (see {@link ServiceInterceptorProvider});
 * without one it runs last, closest to the network, once per attempt.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface GrpcGlobalClientInterceptor {

}
