package dev.jgpt.spark;

import dev.jgpt.cli.Main;
import dev.jgpt.model.Words;

/** One-line messages for the error column and stderr: the first line, control characters escaped, no class names. */
final class Messages {
    private Messages() {
    }

    static String of(Throwable e) {
        return Words.withoutClassNames(Words.escape(Main.oneLine(e.getMessage()))); // as gpt prints its errors
    }
}
