package dev.jgpt.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The playground page at {@code /}: one self-contained HTML file (no network but this server's own API). */
final class Playground {
    private static final String PAGE = load();

    private Playground() {
    }

    static String page() {
        return PAGE;
    }

    private static String load() {
        try (InputStream in = Playground.class.getResourceAsStream("playground.html")) {
            if (in == null) {
                throw new IllegalStateException("this build has no playground page (playground.html)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
