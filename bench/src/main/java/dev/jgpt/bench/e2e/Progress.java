package dev.jgpt.bench.e2e;

import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr, redrawn in place on a terminal: {@code [#####.....]  45%  plain: gpt2 decode
 * 2/3}. When stderr is not a terminal (a log, a pipe) each stage is one line instead.
 */
public final class Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final int total;
    private int done;
    private int lastLength;
    private final boolean terminal = System.console() != null;

    public Progress(PrintWriter err, int total) {
        this.err = err;
        this.total = Math.max(1, total);
    }

    /** Shows what is running now (before it runs). */
    public void show(String what) {
        int filled = Math.min(WIDTH, done * WIDTH / total);
        String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format("%3d%%", Math.min(100, done * 100 / total)) + "  " + what;
        if (!terminal) {
            err.println(line);
            err.flush();
            return;
        }
        String pad = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
        err.print("\r" + line + pad);
        err.flush();
        lastLength = line.length();
    }

    /** Marks one unit done. */
    public void step(String next) {
        done++;
        show(next);
    }

    /** Clears the bar. */
    public void finish() {
        if (!terminal) {
            return;
        }
        err.print("\r" + " ".repeat(lastLength) + "\r");
        err.flush();
    }
}
