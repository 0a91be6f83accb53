package dev.jgpt.server;

import dev.jgpt.model.TextStream;
import dev.jgpt.model.Tokenizer;
import java.util.List;

/**
 * The text of one choice as its tokens arrive: whole characters only (a token may end inside a UTF-8 character),
 * and, when the request has stop strings, the last (longest stop − 1) characters held back until it is clear they do
 * not begin a stop string, which OpenAI leaves out of the text.
 */
final class ChoiceText {
    private final TextStream stream;
    private final int holdBack;
    private final StringBuilder text = new StringBuilder();
    private int emitted;

    ChoiceText(Tokenizer tokenizer, List<String> stops) {
        this.stream = new TextStream(tokenizer);
        this.holdBack = Math.max(0, stops.stream().mapToInt(String::length).max().orElse(0) - 1);
    }

    /** Adds a token; returns the text that may be sent now (possibly empty). */
    String push(int token) {
        text.append(stream.push(token));
        return take(text.length() - holdBack);
    }

    /** Adds a choice's last token and ends it: {@link #finish} with that token's text included. */
    String last(int token, String stopMatched) {
        text.append(stream.push(token));
        return finish(stopMatched);
    }

    /** The rest, at the end: up to the stop string that ended the choice (exclusive), or everything. */
    String finish(String stopMatched) {
        text.append(stream.flush());
        int end = text.length();
        if (stopMatched != null) {
            int at = text.indexOf(stopMatched, emitted);
            if (at >= 0) {
                end = at;
            }
        }
        return take(end);
    }

    private String take(int upTo) {
        int end = upTo;
        if (end > emitted && end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        if (end <= emitted) {
            return "";
        }
        String s = text.substring(emitted, end);
        emitted = end;
        return s;
    }
}
