package io.github.rpcclient.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;

/**
 * Finds {@code tls.*} keys set at a level (the defaults, or one service) where TLS ends up off, so
 * that a trust certificate or a key never leaves a channel silently plaintext. A service turns TLS
 * on or off with its own {@code tls.enabled}, else the defaults'. A service that turns TLS off for
 * itself while keys are only in the defaults is fine; keys in the defaults are reported only when
 * no level turns TLS on. {@code tls.authority-override} is left alone: it sets the
 * {@code :authority} of plaintext channels too.
 */
final class TlsKeys {

	private static final String DEFAULTS = "grpc-clients.defaults";

	private TlsKeys() {
	}

	static List<ConfigurationViolation> check(Set<ConfigurationPropertyName> names, Binder binder) {
		Map<String, List<String>> keysByLevel = new LinkedHashMap<>();
		boolean anyEnabled = false;
		for (ConfigurationPropertyName name : names) {
			int tls = tlsElement(name);
			if (tls < 0 || tls + 1 >= name.getNumberOfElements()) {
				continue;
			}
			String level = name.chop(tls).toString();
			String key = name.getElement(tls + 1, Form.DASHED);
			if (key.equals("authority-override")) {
				continue; // also sets :authority on plaintext channels
			}
			if (key.equals("enabled")) {
				anyEnabled |= enabled(binder, level) == Boolean.TRUE;
			}
			else {
				keysByLevel.computeIfAbsent(level, (l) -> new ArrayList<>()).add(key);
			}
		}
		Boolean defaults = enabled(binder, DEFAULTS);
		List<ConfigurationViolation> violations = new ArrayList<>();
		for (Map.Entry<String, List<String>> level : keysByLevel.entrySet()) {
			boolean isDefaults = level.getKey().equals(DEFAULTS);
			Boolean own = enabled(binder, level.getKey());
			boolean on = (own != null) ? own : (defaults != null && defaults);
			if (on || (isDefaults && anyEnabled)) {
				continue;
			}
			for (String key : level.getValue().stream().distinct().toList()) {
				violations.add(new ConfigurationViolation(level.getKey() + ".tls." + key, ConfigurationViolation.NOT_SHOWN,
						"is set but TLS is off there ('" + level.getKey() + ".tls.enabled' is "
								+ ((own != null) ? "false" : "unset") + "), so the channel would be plaintext",
						"set " + level.getKey() + ".tls.enabled: true, or remove the tls." + key + " key"));
			}
		}
		return violations;
	}

	private static Boolean enabled(Binder binder, String level) {
		return binder.bind(level + ".tls.enabled", Boolean.class).orElse(null);
	}

	private static int tlsElement(ConfigurationPropertyName name) {
		for (int i = 1; i < name.getNumberOfElements(); i++) {
			if (name.getElement(i, Form.UNIFORM).equals("tls")) {
				return i;
			}
		}
		return -1;
	}

}
