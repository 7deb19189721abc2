package io.github.rpcclient.resilience;

import io.grpc.Metadata;
import io.grpc.Status;

import org.springframework.lang.Nullable;

/**
 * Turns the final failure of a unary call into a response, like Kitex's {@code WithFallback}.
 * Declare one as a bean per service and method; there is none by default. It runs after retries
 * and the circuit breaker gave up, and not for calls the caller cancelled:
 *
 * <pre class="code">
 * &#64;Bean
 * GrpcFallback&lt;GetBookRequest, Book&gt; bookFallback() {
 *     return GrpcFallback.of("book-service", "bookstore.BookService/GetBook",
 *             (request, status, trailers) -&gt; Book.newBuilder().setId(request.getId()).build());
 * }
 * </pre>
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
public interface GrpcFallback<Q, R> {

	/**
	 * @return the name of the service, as in {@code grpc-clients.services[].name}
	 */
	String service();

	/**
	 * @return the full method name, {@code package.Service/Method}
	 */
	String method();

	/**
	 * Returns the response to give the caller instead of a failure.
	 * @param request the request of the call
	 * @param status the final status
	 * @param trailers the final trailers
	 * @return the response, or {@code null} to let the failure through
	 */
	@Nullable
	R fallback(Q request, Status status, Metadata trailers);

	/**
	 * Creates a fallback from a function.
	 * @param service the service name
	 * @param method the full method name
	 * @param function returns the response, or {@code null} to let the failure through
	 * @param <Q> the request type
	 * @param <R> the response type
	 * @return the fallback
	 */
	static <Q, R> GrpcFallback<Q, R> of(String service, String method, Function<Q, R> function) {
		return new GrpcFallback<>() {

			@Override
			public String service() {
				return service;
			}

			@Override
			public String method() {
				return method;
			}

			@Override
			public R fallback(Q request, Status status, Metadata trailers) {
				return function.fallback(request, status, trailers);
			}

		};
	}

	/**
	 * The response a fallback gives.
	 * @param <Q> the request type
	 * @param <R> the response type
	 */
	@FunctionalInterface
	interface Function<Q, R> {

		/**
		 * @param request the request of the call
		 * @param status the final status
		 * @param trailers the final trailers
		 * @return the response, or {@code null} to let the failure through
		 */
		@Nullable
		R fallback(Q request, Status status, Metadata trailers);

	}

}
