package dev.jgpt.spark;

import dev.jgpt.model.Words;

/** One-line messages for the error column and stderr: the first line, control characters escaped, no class names. */
final class Messages {
    private Messages() {
    }

    static String of(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return "failed without a message";
        }
        String line = m.strip();
        int nl = line.indexOf('\n');
        if (nl >= 0) {
            line = line.substring(0, nl).strip();
        }
        return Words.withoutClassNames(Words.escape(line));
    }
}
