package dev.jgpt.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Finds a sequence's stop strings in its output as it grows, one token at a time, decoding only the tail a new match
 * can lie in (so a step costs the same at token 10 as at token 10,000, not a decode of the whole output).
 *
 * <p>Why the tail is enough: checked after every token, a match is found at the step its last byte arrives, so it
 * ends in the newest token. Every token stands for at least one byte (GPT-2's BPE and the sort letters), so a match
 * of B UTF-8 bytes spans at most B tokens; the window decodes the last B + 4 (a character split over tokens at the
 * window's start decodes to U+FFFD there, which no match can start inside). Byte-level tokenizers decode a window to
 * exactly the bytes of that part of the whole text, so the result equals searching the whole decoded output.
 */
final class StopStrings {
    private final List<String> stops;
    private final Tokenizer tokenizer;
    private final int window;

    StopStrings(List<String> stops, Tokenizer tokenizer) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.tokenizer = tokenizer;
        this.window = this.stops.stream().mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length).max().orElse(0)
                + 4;
    }

    boolean none() {
        return stops.isEmpty();
    }

    /**
     * The first stop string (in the request's order) found in the output {@code tokens[from, to)} that ends in its
     * last token, or null; call it after every new token.
     */
    String find(int[] tokens, int from, int to) {
        if (stops.isEmpty() || to <= from) {
            return null;
        }
        String text = tokenizer.decode(Arrays.copyOfRange(tokens, Math.max(from, to - window), to));
        for (String s : stops) {
            if (text.contains(s)) {
                return s;
            }
        }
        return null;
    }
}
