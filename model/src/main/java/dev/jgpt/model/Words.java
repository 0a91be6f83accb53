package dev.jgpt.model;

/**
 * User input and counts inside one-line messages: input is quoted, cut to {@link #MAX_QUOTED} characters and its
 * control characters escaped (so a message stays one line and no escape sequence reaches the terminal); counts take
 * the singular or plural.
 */
public final class Words {
    /** The most characters of user input a message quotes. */
    public static final int MAX_QUOTED = 60;
    private static final java.util.regex.Pattern JAVA_EXCEPTION = java.util.regex.Pattern.compile(
            "\\b(?:[a-z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");

    private Words() {
    }

    /** {@code text} in double quotes, at most {@link #MAX_QUOTED} characters of it, control characters escaped. */
    public static String quote(String text) {
        if (text == null) {
            return "\"\"";
        }
        boolean cut = text.codePointCount(0, text.length()) > MAX_QUOTED;
        String head = cut ? text.substring(0, text.offsetByCodePoints(0, MAX_QUOTED)) : text;
        return "\"" + escape(head) + (cut ? "…" : "") + "\"";
    }

    /** One character (a code point) of input, in single quotes, escaped like {@link #quote}. */
    public static String quoteChar(int codePoint) {
        return "'" + escape(new String(Character.toChars(codePoint))) + "'";
    }

    /**
     * {@code text} with every control character (C0, DEL, C1), bidirectional override, line or paragraph separator
     * written as an escape ({@code \n}, {@code \t}, {@code \e}, {@code \x07}, {@code \u202e}); other text unchanged.
     */
    public static String escape(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String e = escapeOf(c);
            if (e == null) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            sb.append(e);
        }
        return sb == null ? text : sb.toString();
    }

    private static String escapeOf(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            case 0x1b:
                return "\\e";
            case '\\':
                return null;
            default:
                break;
        }
        if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
            return String.format("\\x%02x", (int) c);
        }
        if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029
                || c == 0x200e || c == 0x200f || c == 0x061c) {
            return String.format("\\u%04x", (int) c);
        }
        return null;
    }

    /**
     * {@code message} without Java exception class names ({@code java.io.EOFException: }, {@code IOException: }),
     * which mean nothing to a user (they are shown with {@code --verbose}).
     */
    public static String withoutClassNames(String message) {
        String m = JAVA_EXCEPTION.matcher(message).replaceAll("");
        return m.isBlank() ? "(no message)" : m.strip();
    }

    /** {@code "1 letter"}, {@code "2 letters"}: the count and the noun, plural with an s unless the count is 1. */
    public static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
