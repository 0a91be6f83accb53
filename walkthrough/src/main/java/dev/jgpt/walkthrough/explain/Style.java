package dev.jgpt.walkthrough.explain;

/** ANSI colour when the terminal supports it, plain text when piped. */
public final class Style {
    private final boolean color;

    public Style(boolean color) {
        this.color = color;
    }

    /** Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb. */
    public static boolean autoDetect() {
        String term = System.getenv("TERM");
        return System.console() != null && System.getenv("NO_COLOR") == null && term != null && !term.equals("dumb");
    }

    String heading(String s) {
        return wrap("1;36", s);
    }

    String chosen(String s) {
        return wrap("1;32", s);
    }

    String dim(String s) {
        return wrap("2", s);
    }

    String value(String s) {
        return wrap("33", s);
    }

    private String wrap(String code, String s) {
        return color ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}
