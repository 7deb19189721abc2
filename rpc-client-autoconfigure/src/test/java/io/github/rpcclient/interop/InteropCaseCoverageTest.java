package io.github.rpcclient.interop;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import io.grpc.testing.integration.AbstractInteropTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interop suites run every case of {@link AbstractInteropTest}: each of its JUnit 4
 * {@code @Test} methods (which JUnit Jupiter does not run by itself) is overridden with a Jupiter
 * {@code @Test} in {@link GrpcClientInteropTestBase}, so a grpc-interop-testing upgrade that adds
 * a case fails here until the case is added.
 */
class InteropCaseCoverageTest {

	@Test
	void everyCaseOfAbstractInteropTestRunsThroughTheInjectedStubs() {
		List<String> official = Arrays.stream(AbstractInteropTest.class.getDeclaredMethods())
			.filter((method) -> method.isAnnotationPresent(org.junit.Test.class))
			.map(Method::getName)
			.toList();
		List<String> ours = Arrays.stream(GrpcClientInteropTestBase.class.getDeclaredMethods())
			.filter((method) -> method.isAnnotationPresent(Test.class))
			.map(Method::getName)
			.toList();
		assertThat(official).as("cases of grpc-interop-testing's AbstractInteropTest").isNotEmpty();
		assertThat(ours).containsExactlyInAnyOrderElementsOf(official);
	}

}
