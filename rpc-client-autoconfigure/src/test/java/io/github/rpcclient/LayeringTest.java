package io.github.rpcclient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Configuration;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library's packages form layers whose imports run one way: properties bind, settings resolve
 * them into an immutable model, the runtime packages read that model, and the auto-configuration
 * and actuator support sit on top. A package may use its own classes and those of lower layers
 * only; packages on one layer do not use each other. Checked twice: on the compiled classes (every
 * real dependency, fully qualified ones included) and on the source (imports and references made
 * for Javadoc only, which leave no trace in the bytecode).
 */
class LayeringTest {

	private static final String ROOT = "io.github.rpcclient";

	/** Every package of the library and its layer; a package missing here fails the test. */
	private static final Map<String, Integer> LAYERS = Map.ofEntries(Map.entry("properties", 0),
			Map.entry("settings", 1), Map.entry("channel", 2), Map.entry("interceptor", 3), Map.entry("route", 3),
			Map.entry("stub", 3), Map.entry("resilience", 4), Map.entry("proxy", 4), Map.entry("discovery", 4),
			Map.entry("actuate", 5), Map.entry("autoconfigure", 6));

	private static final List<String> RUNTIME = List.of("channel", "interceptor", "route", "stub", "resilience",
			"proxy", "discovery", "actuate");

	private static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages(ROOT);
		assertThat(classes).as("library classes").hasSizeGreaterThan(50);
	}

	@Test
	void everyPackageHasALayer() {
		assertThat(classes.stream().map(LayeringTest::layerOf).distinct())
			.allSatisfy((pkg) -> assertThat(LAYERS).as("layers").containsKey(pkg));
	}

	@Test
	void compiledClassesUseOnlyTheirOwnPackageAndLowerLayers() {
		classes().should(new ArchCondition<JavaClass>("use only lower layers") {

			@Override
			public void check(JavaClass type, ConditionEvents events) {
				String own = layerOf(type);
				type.getDirectDependenciesFromSelf().forEach((dependency) -> {
					JavaClass target = dependency.getTargetClass().getBaseComponentType();
					if (target.getPackageName().startsWith(ROOT + ".") && !allowed(own, layerOf(target))) {
						events.add(SimpleConditionEvent.violated(dependency,
								dependency.getDescription()));
					}
				});
			}

		}).check(classes);
	}

	@Test
	void sourcesImportAndReferenceOnlyTheirOwnPackageAndLowerLayers() throws IOException {
		Path sources = Path.of("src/main/java", ROOT.split("\\."));
		Pattern reference = Pattern.compile(Pattern.quote(ROOT) + "\\.(\\w+)\\.");
		List<String> violations = new ArrayList<>();
		try (Stream<Path> files = Files.walk(sources)) {
			files.filter((file) -> file.toString().endsWith(".java")).forEach((file) -> {
				String own = sources.relativize(file).getName(0).toString();
				Matcher matcher = reference.matcher(read(file));
				while (matcher.find()) {
					if (!allowed(own, matcher.group(1))) {
						violations.add(sources.relativize(file) + " refers to " + ROOT + "." + matcher.group(1));
					}
				}
			});
		}
		assertThat(violations).as("references to the same or a higher layer").isEmpty();
	}

	@Test
	void runtimeClassesNeverHoldBoundProperties() {
		// the runtime reads the immutable settings; the mutable properties are input only
		ArchRule rule = noFields().that()
			.areDeclaredInClassesThat()
			.resideInAnyPackage(RUNTIME.stream().map((pkg) -> ROOT + "." + pkg + "..").toArray(String[]::new))
			.should()
			.haveRawType(resideInAPackage(ROOT + ".properties..")
				.and(DescribedPredicate.not(JavaClass.Predicates.ENUMS)));
		rule.check(classes);
	}

	@Test
	void configurationAndPropertiesClassesLiveInTheirLayer() {
		classes().that()
			.areAnnotatedWith(AutoConfiguration.class)
			.or()
			.areAnnotatedWith(Configuration.class)
			.should()
			.resideInAPackage(ROOT + ".autoconfigure")
			.check(classes);
		classes().that()
			.areAnnotatedWith(ConfigurationProperties.class)
			.should()
			.resideInAPackage(ROOT + ".properties")
			.check(classes);
	}

	private static boolean allowed(String from, String to) {
		return from.equals(to) || LAYERS.getOrDefault(to, Integer.MAX_VALUE) < LAYERS.getOrDefault(from, -1);
	}

	private static String layerOf(JavaClass type) {
		String rest = type.getPackageName().substring(Math.min(type.getPackageName().length(), ROOT.length() + 1));
		int dot = rest.indexOf('.');
		return (dot < 0) ? rest : rest.substring(0, dot);
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
