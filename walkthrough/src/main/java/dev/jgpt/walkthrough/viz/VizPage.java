package dev.jgpt.walkthrough.viz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The self-contained walkthrough page: the template {@code walkthrough.html} with its style sheet, scripts and the
 * run's data (JSON in a {@code <script type="application/json">} block) inlined. No network: no CDN, no fonts, no
 * external files.
 */
public final class VizPage {
    private static final String DIR = "/dev/jgpt/walkthrough/viz/";

    private VizPage() {
    }

    /** The page for this data, titled {@code title} (plain text; escaped here). */
    public static String render(String title, String json) {
        if (json.indexOf('<') >= 0) {
            throw new IllegalArgumentException("the data JSON must escape '<' (HTML-safe) to stay inside its script");
        }
        String template = resource("walkthrough.html");
        for (String script : new String[] {"heatmap.js", "sections.js", "walkthrough.js"}) {
            if (resource(script).toLowerCase(java.util.Locale.ROOT).contains("</script")) {
                throw new IllegalStateException(script + " must not contain '</script' (it is inlined)");
            }
        }
        Map<String, String> parts = Map.of(
                "TITLE", escapeHtml(title),
                "CSS", resource("walkthrough.css"),
                "HEATMAP_JS", resource("heatmap.js"),
                "SECTIONS_JS", resource("sections.js"),
                "MAIN_JS", resource("walkthrough.js"),
                "DATA", json);
        return fill(template, parts);
    }

    /** Replaces each {@code {{NAME}}} of the template (only the template's own markers, never inserted text). */
    static String fill(String template, Map<String, String> parts) {
        StringBuilder out = new StringBuilder(template.length() + parts.values().stream().mapToInt(String::length)
                .sum());
        int from = 0;
        while (true) {
            int open = template.indexOf("{{", from);
            if (open < 0) {
                break;
            }
            int close = template.indexOf("}}", open);
            String key = close < 0 ? null : template.substring(open + 2, close);
            String value = key == null ? null : parts.get(key);
            if (value == null) {
                out.append(template, from, open + 2);
                from = open + 2;
                continue;
            }
            out.append(template, from, open).append(value);
            from = close + 2;
        }
        out.append(template, from, template.length());
        return out.toString();
    }

    static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '&': sb.append("&amp;"); break;
                case '"': sb.append("&quot;"); break;
                case '\'': sb.append("&#39;"); break;
                default: sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static String resource(String name) {
        try (InputStream in = VizPage.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("the page template " + DIR + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
