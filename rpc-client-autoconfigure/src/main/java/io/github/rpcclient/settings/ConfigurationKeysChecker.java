package io.github.rpcclient.settings;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.github.rpcclient.properties.GrpcClientsProperties;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.ResolvableType;

/**
 * Finds keys under {@code grpc-clients} that no setting has (a misspelt {@code timout}, a
 * {@code retry.max-attempt}, {@code services} written as a map), which Spring Boot's binding
 * ignores without a word, and names the closest known key. Walks every key of the environment's
 * property sources against the properties classes themselves (their bean properties, lists and
 * maps), so it knows every key the binder knows. Also finds TLS keys set at a level (the defaults,
 * or one service) where TLS is off, which would otherwise leave the channel plaintext silently.
 */
public final class ConfigurationKeysChecker {

	private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("grpc-clients");

	private static final String PROPERTIES_PACKAGE = GrpcClientsProperties.class.getPackageName();

	private ConfigurationKeysChecker() {
	}

	/**
	 * Checks the keys.
	 * @param sources the environment's property sources
	 * @return what is wrong, in key order
	 */
	public static List<ConfigurationViolation> check(Iterable<ConfigurationPropertySource> sources) {
		Set<ConfigurationPropertyName> names = new TreeSet<>();
		for (ConfigurationPropertySource source : sources) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.stream().filter(PREFIX::isAncestorOf).forEach(names::add);
			}
		}
		Map<String, ConfigurationViolation> violations = new java.util.LinkedHashMap<>();
		for (ConfigurationPropertyName name : names) {
			ConfigurationViolation violation = unknown(name);
			if (violation != null) {
				violations.putIfAbsent(violation.property(), violation);
			}
		}
		List<ConfigurationViolation> all = new ArrayList<>(violations.values());
		all.addAll(TlsKeys.check(names, new Binder(sources)));
		return all;
	}

	private static ConfigurationViolation unknown(ConfigurationPropertyName name) {
		ResolvableType type = ResolvableType.forClass(GrpcClientsProperties.class);
		for (int i = 1; i < name.getNumberOfElements(); i++) {
			Class<?> raw = type.resolve(Object.class);
			String path = prefix(name, i);
			if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
				if (!name.isNumericIndex(i)) {
					return new ConfigurationViolation(path + "." + name.getElement(i, Form.ORIGINAL),
							ConfigurationViolation.NOT_SHOWN, "is not read: '" + path + "' is a list, not a map",
							"write list entries with an index, such as " + path + "[0]."
									+ (path.endsWith("services") ? "name: " + name.getElement(i, Form.ORIGINAL) : "..."));
				}
				type = raw.isArray() ? type.getComponentType() : type.asCollection().getGeneric(0);
				continue;
			}
			if (Map.class.isAssignableFrom(raw)) {
				type = type.asMap().getGeneric(1);
				continue;
			}
			if (!raw.getPackageName().equals(PROPERTIES_PACKAGE) || raw.isEnum()) {
				return new ConfigurationViolation(name.toString(), ConfigurationViolation.NOT_SHOWN,
						"is not read: '" + path + "' is a single value", "remove the part after '" + path + "'");
			}
			String element = name.getElement(i, Form.UNIFORM);
			PropertyDescriptor match = null;
			List<String> known = new ArrayList<>();
			for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(raw)) {
				if (property.getReadMethod() == null || property.getName().equals("class")) {
					continue;
				}
				known.add(dashed(property.getName()));
				if (uniform(property.getName()).equals(element)) {
					match = property;
				}
			}
			if (match == null) {
				String typed = name.getElement(i, Form.DASHED);
				String closest = closest(typed, known);
				return new ConfigurationViolation(path + "." + typed, ConfigurationViolation.NOT_SHOWN,
						"is not a known key, so it is ignored"
								+ ((closest != null) ? " (did you mean '" + closest + "'?)" : ""),
						(closest != null) ? "rename it to " + path + "." + closest
								: "use one of " + String.join(", ", new TreeSet<>(known)));
			}
			type = ResolvableType.forMethodReturnType(match.getReadMethod());
		}
		return null;
	}

	private static String prefix(ConfigurationPropertyName name, int elements) {
		return name.chop(elements).toString();
	}

	static String dashed(String camel) {
		StringBuilder dashed = new StringBuilder();
		for (char c : camel.toCharArray()) {
			if (Character.isUpperCase(c)) {
				dashed.append('-').append(Character.toLowerCase(c));
			}
			else {
				dashed.append(c);
			}
		}
		return dashed.toString();
	}

	private static String uniform(String camel) {
		return camel.toLowerCase(java.util.Locale.ROOT);
	}

	static String closest(String typed, Collection<String> known) {
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (String candidate : new LinkedHashSet<>(known)) {
			int distance = distance(typed, candidate);
			if (distance < bestDistance) {
				best = candidate;
				bestDistance = distance;
			}
		}
		return (best != null && bestDistance <= Math.max(2, typed.length() / 3)) ? best : null;
	}

	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
