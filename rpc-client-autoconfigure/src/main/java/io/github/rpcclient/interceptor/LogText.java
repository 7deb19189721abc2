package io.github.rpcclient.interceptor;

import org.springframework.lang.Nullable;

/**
 * Makes text that came from outside (a server's status message, a name in a request) safe to put
 * in one log line: line breaks, tabs and every other control character, and the Unicode line and
 * paragraph separators, become visible escapes ({@code \n}, {@code \u001b}), so a server cannot
 * forge log lines; over-long text is cut.
 */
public final class LogText {

	/** Longest text kept, in characters. */
	static final int MAX_LENGTH = 1024;

	private LogText() {
	}

	/**
	 * Escapes text for a log line.
	 * @param text the text, may be {@code null}
	 * @return the escaped text, {@code "null"} for {@code null}
	 */
	public static String escape(@Nullable String text) {
		if (text == null) {
			return "null";
		}
		int length = Math.min(text.length(), MAX_LENGTH);
		int i = 0;
		while (i < length && !needsEscape(text.charAt(i))) {
			i++;
		}
		if (i == text.length()) {
			return text;
		}
		StringBuilder escaped = new StringBuilder(length + 16).append(text, 0, i);
		for (; i < length; i++) {
			char c = text.charAt(i);
			switch (c) {
				case '\n' -> escaped.append("\\n");
				case '\r' -> escaped.append("\\r");
				case '\t' -> escaped.append("\\t");
				case '\\' -> escaped.append("\\\\");
				default -> {
					if (needsEscape(c)) {
						escaped.append(String.format("\\u%04x", (int) c));
					}
					else {
						escaped.append(c);
					}
				}
			}
		}
		if (text.length() > MAX_LENGTH) {
			escaped.append("...(").append(text.length() - MAX_LENGTH).append(" more chars)");
		}
		return escaped.toString();
	}

	private static boolean needsEscape(char c) {
		return c < 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029';
	}

}
