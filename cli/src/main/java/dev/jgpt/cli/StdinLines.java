package dev.jgpt.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Prompts from standard input: one per line, blank lines skipped. */
final class StdinLines {
    private StdinLines() {
    }

    static List<String> read(InputStream in) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new UsageException("no prompt: give --tokens or --prompt, or one prompt per line on standard "
                    + "input");
        }
        return lines;
    }
}
