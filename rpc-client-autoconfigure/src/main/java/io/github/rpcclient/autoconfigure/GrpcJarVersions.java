package io.github.rpcclient.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import io.github.rpcclient.settings.GrpcClientStartupException;

/**
 * Checks that the grpc-java jars on the classpath are of one version. grpc-java's jars must match
 * exactly; another library that brings its own {@code grpc-api} or {@code grpc-core} easily leaves
 * a mix, which fails later with a raw {@code NoClassDefFoundError: io/grpc/InternalFeatureFlags}
 * or {@code NoSuchMethodError}. (This build itself runs grpc-okhttp 1.82 on grpc-core 1.83, the
 * newest okhttp published: transports one minor version behind are accepted.) Reads each jar's manifest ({@code Automatic-Module-Name} starting
 * {@code io.grpc}, {@code Implementation-Version}); jars of grpc-java's test and interop artifacts
 * are left out.
 */
public final class GrpcJarVersions {

	private static final String FIX = "Import the grpc-java BOM (io.grpc:grpc-bom) or this starter's "
			+ "rpc-client-dependencies BOM in <dependencyManagement> so every io.grpc artifact has one version, "
			+ "or exclude the io.grpc artifacts the other library brings (mvn dependency:tree -Dincludes=io.grpc "
			+ "shows which).";

	private GrpcJarVersions() {
	}

	/**
	 * One grpc-java jar.
	 *
	 * @param module its {@code Automatic-Module-Name}, such as {@code io.grpc} (grpc-api) or
	 * {@code io.grpc.internal} (grpc-core)
	 * @param file its file name, or the module name when it is not a jar file
	 * @param version its {@code Implementation-Version}
	 */
	public record GrpcJar(String module, String file, String version) {
	}

	/**
	 * Reads the grpc-java jars a class loader sees.
	 * @param classLoader the class loader
	 * @return the jars, by file name
	 */
	public static List<GrpcJar> onClasspath(ClassLoader classLoader) {
		Map<String, GrpcJar> jars = new TreeMap<>();
		try {
			Enumeration<URL> manifests = classLoader.getResources("META-INF/MANIFEST.MF");
			while (manifests.hasMoreElements()) {
				URL url = manifests.nextElement();
				try (InputStream in = url.openStream()) {
					Attributes attributes = new Manifest(in).getMainAttributes();
					String module = attributes.getValue("Automatic-Module-Name");
					String version = attributes.getValue("Implementation-Version");
					if (module != null && version != null && isRuntimeModule(module)) {
						String file = jarName(url, module);
						jars.put(file, new GrpcJar(module, file, version));
					}
				}
				catch (IOException ex) {
					// unreadable manifest: not a jar we can judge
				}
			}
		}
		catch (IOException ex) {
			// no manifests to read
		}
		return new ArrayList<>(jars.values());
	}

	private static boolean isRuntimeModule(String module) {
		return (module.equals("io.grpc") || module.startsWith("io.grpc.")) && !module.startsWith("io.grpc.testing");
	}

	private static String jarName(URL url, String module) {
		String path = url.getPath();
		int bang = path.lastIndexOf("!/");
		if (bang > 0) {
			String jar = path.substring(0, bang);
			return jar.substring(jar.lastIndexOf('/') + 1);
		}
		return module;
	}

	/**
	 * Checks the jars against grpc-core (else grpc-api): grpc-api, grpc-core, grpc-stub,
	 * grpc-protobuf(-lite), grpc-util and grpc-services must have its minor version; the other jars
	 * (transports such as grpc-netty-shaded and grpc-okhttp) may be up to one minor version older,
	 * never newer.
	 * @param jars the jars
	 * @throws GrpcClientStartupException naming every grpc-java jar and version and the fix, if one
	 * does not fit
	 */
	public static void check(List<GrpcJar> jars) {
		GrpcJar reference = jars.stream().filter((jar) -> jar.module().equals("io.grpc.internal")).findFirst()
			.orElse(jars.stream().filter((jar) -> jar.module().equals("io.grpc")).findFirst().orElse(null));
		if (reference == null) {
			return;
		}
		int[] ref = minor(reference.version());
		List<GrpcJar> misfits = new ArrayList<>();
		for (GrpcJar jar : jars) {
			int[] version = minor(jar.version());
			if (version == null || ref == null) {
				continue;
			}
			int behind = (ref[0] - version[0]) * 1000 + (ref[1] - version[1]);
			boolean fits = CORE.contains(jar.module()) ? behind == 0 : (behind == 0 || behind == 1);
			if (!fits) {
				misfits.add(jar);
			}
		}
		if (misfits.isEmpty()) {
			return;
		}
		String all = jars.stream()
			.map((jar) -> "    " + jar.file() + " (" + jar.version() + ")" + (misfits.contains(jar) ? "  <- does not match" : ""))
			.collect(Collectors.joining("\n"));
		throw new GrpcClientStartupException("The grpc-java jars on the classpath do not match: "
				+ misfits.stream().map((jar) -> jar.file() + " " + jar.version()).collect(Collectors.joining(", "))
				+ " with " + reference.file() + " " + reference.version()
				+ ". grpc-java needs its jars of one version, else calls fail with errors such as "
				+ "NoClassDefFoundError: io/grpc/InternalFeatureFlags. The grpc-java jars:\n" + all, FIX);
	}

	private static final Set<String> CORE = Set.of("io.grpc", "io.grpc.internal", "io.grpc.stub", "io.grpc.protobuf",
			"io.grpc.protobuf.lite", "io.grpc.util", "io.grpc.services");

	private static int[] minor(String version) {
		String[] parts = version.split("[.-]");
		try {
			return new int[] { Integer.parseInt(parts[0]), Integer.parseInt(parts[1]) };
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
