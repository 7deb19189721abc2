package io.github.rpcclient.properties;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an IDE finds for the keys of a {@code grpc-clients.services[]} entry, read from the jars the
 * build produced. Spring Boot's configuration metadata has no entries for the keys of list
 * elements; IDEs (IntelliJ IDEA, Spring Tools) take the element type from the list property's
 * {@code type} in {@code spring-configuration-metadata.json}, walk its JavaBean properties the way
 * the binder does, and show each field's Javadoc from the library's sources jar. So: the metadata
 * must name the element type, and the sources jar must document every key of it.
 */
class ServiceEntryMetadataIT {

	private static final Pattern FIELD_JAVADOC = Pattern.compile(
			"/\\*\\*((?:(?!\\*/).)*)\\*/\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*private\\s+(?:final\\s+)?[\\w.<>, ?]+\\s+(\\w+)\\s*[;=]",
			Pattern.DOTALL);

	private static JsonNode servicesProperty;

	private static ZipFile sources;

	@BeforeAll
	static void openTheBuiltJars() throws IOException {
		try (ZipFile jar = new ZipFile(System.getProperty("rpcclient.jar"));
				InputStream in = jar.getInputStream(jar.getEntry("META-INF/spring-configuration-metadata.json"))) {
			for (JsonNode property : new ObjectMapper().readTree(in).path("properties")) {
				if (property.path("name").asText().equals("grpc-clients.services")) {
					servicesProperty = property;
				}
			}
		}
		sources = new ZipFile(System.getProperty("rpcclient.sources-jar"));
	}

	@Test
	void theMetadataNamesTheElementTypeOfTheServicesList() {
		assertThat(servicesProperty).as("grpc-clients.services in the jar's metadata").isNotNull();
		assertThat(servicesProperty.path("type").asText())
			.isEqualTo("java.util.List<" + ServiceProperties.class.getName() + ">");
		assertThat(servicesProperty.path("description").asText()).contains("'name'", "'address'",
				"grpc-clients.defaults");
		assertThat(sources.getEntry(ServiceProperties.class.getName().replace('.', '/') + ".java"))
			.as("the element type's source in the sources jar")
			.isNotNull();
	}

	@Test
	void theSourcesJarDocumentsTheAddressOfAServiceEntry() throws IOException {
		Map<String, String> keys = documentedKeys(ServiceProperties.class, "");
		assertThat(keys.get("address")).contains("Where the service is")
			.contains("'host:port'")
			.contains("'static://");
		assertThat(keys.get("name")).contains("Unique name of the service");
		assertThat(keys.get("keepalive.time")).contains("Interval between keepalive pings");
		assertThat(keys.get("methods[].timeout")).contains("Deadline for calls of this method");
		assertThat(keys.get("retry.budget.enabled")).contains("limited by the budget");
	}

	@Test
	void everyKeyOfAServiceEntryIsDocumentedInTheSourcesJar() throws IOException {
		Map<String, String> keys = documentedKeys(ServiceProperties.class, "");
		assertThat(keys).as("keys of a services[] entry").hasSizeGreaterThan(40);
		assertThat(keys).allSatisfy((key, javadoc) -> assertThat(javadoc).as("Javadoc of services[].%s", key)
			.isNotBlank());
	}

	/**
	 * Walks the bindable keys of a type as the binder sees them (JavaBean properties; nested types
	 * of this package and list elements recursively), with each key's field Javadoc from the
	 * sources jar ("" where there is none).
	 */
	private static Map<String, String> documentedKeys(Class<?> type, String prefix) throws IOException {
		Map<String, String> keys = new TreeMap<>();
		for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
			Method getter = property.getReadMethod();
			if (getter == null || getter.getDeclaringClass() == Object.class) {
				continue;
			}
			String key = prefix + kebab(property.getName());
			Class<?> nested = nestedType(getter.getGenericReturnType());
			if (nested != null) {
				String suffix = List.class.isAssignableFrom(getter.getReturnType()) ? "[]." : ".";
				keys.putAll(documentedKeys(nested, key + suffix));
			}
			if (nested == null || List.class.isAssignableFrom(getter.getReturnType())) {
				keys.put(key, javadoc(getter.getDeclaringClass(), property.getName()));
			}
		}
		return keys;
	}

	private static Class<?> nestedType(Type type) {
		Type candidate = (type instanceof ParameterizedType parameterized) ? parameterized.getActualTypeArguments()[0]
				: type;
		if (candidate instanceof Class<?> nested && !nested.isEnum()
				&& nested.getPackageName().equals(ServiceProperties.class.getPackageName())) {
			return nested;
		}
		return null;
	}

	private static String javadoc(Class<?> declaringClass, String field) throws IOException {
		Class<?> topLevel = declaringClass;
		while (topLevel.getEnclosingClass() != null) {
			topLevel = topLevel.getEnclosingClass();
		}
		ZipEntry entry = sources.getEntry(topLevel.getName().replace('.', '/') + ".java");
		assertThat(entry).as("source of %s in the sources jar", topLevel.getName()).isNotNull();
		String source;
		try (InputStream in = sources.getInputStream(entry)) {
			source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		if (declaringClass != topLevel) {
			// the nested class's own fields, not those of the same name in the enclosing class
			source = source.substring(source.indexOf("class " + declaringClass.getSimpleName() + " "));
		}
		List<String> found = new ArrayList<>();
		Matcher matcher = FIELD_JAVADOC.matcher(source);
		while (matcher.find()) {
			if (matcher.group(2).equals(field)) {
				found.add(matcher.group(1).replaceAll("\\s*\\*\\s*", " ").trim());
			}
		}
		return found.isEmpty() ? "" : found.get(0);
	}

	private static String kebab(String name) {
		return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
	}

}
