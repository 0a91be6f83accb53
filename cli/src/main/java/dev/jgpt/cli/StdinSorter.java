package dev.jgpt.cli;

import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.SortTask;
import dev.jgpt.model.SortVocabulary;
import dev.jgpt.model.Words;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gpt sort} over standard input, line for line: every input line gets exactly one output line, in order, so
 * output line N answers input line N. A valid line gets its sorted letters; a blank line an empty line; an invalid
 * line an empty line, and one {@code gpt: line N: ...} message on stderr (the run then ends with exit code 3).
 * Lines are read and answered in chunks of at most {@link #BATCH} (fewer when no more input is waiting), each sorted
 * in one batch and flushed, so an endless input ({@code yes CBABBC}) is answered as it comes, and a line is read
 * only up to {@link #MAX_LINE} characters (the rest is counted and dropped), so memory stays bounded.
 */
final class StdinSorter {
    /** Most lines sorted in one batch. */
    static final int BATCH = 64;
    /** Characters of one line kept; longer lines are refused. */
    static final int MAX_LINE = 4096;

    private final SortTask task;
    private final PrintWriter out;
    private final PrintWriter err;
    private boolean anyBad;

    StdinSorter(SortTask task, PrintWriter out, PrintWriter err) {
        this.task = task;
        this.out = out;
        this.err = err;
    }

    /** One line of input: its number, its first {@link #MAX_LINE} characters, and its full length. */
    private static final class Line {
        final long number;
        final String text;
        final long length;
        String answer = "";
        int[] ids;

        Line(long number, String text, long length) {
            this.number = number;
            this.text = text;
            this.length = length;
        }
    }

    /** Sorts every line of {@code in}; returns the exit code (3 when a line was invalid). */
    int run(InputStream in) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        long number = 0;
        try {
            List<Line> chunk = new ArrayList<>();
            Line line;
            while ((line = read(reader, ++number)) != null) {
                chunk.add(line);
                if (chunk.size() >= BATCH || !reader.ready()) {
                    answer(chunk);
                    chunk.clear();
                }
            }
            answer(chunk);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read standard input (line " + number + "): " + IoErrors.why(e)
                    + "; pipe lines of letters into gpt sort, or give the sequences as arguments");
        }
        return anyBad ? ExitCodes.INVALID_INPUT : ExitCodes.OK;
    }

    private void answer(List<Line> chunk) {
        List<Line> valid = new ArrayList<>();
        for (Line l : chunk) {
            if (l.text.isBlank()) {
                continue;
            }
            try {
                l.ids = encode(l);
                valid.add(l);
            } catch (InvalidInputException e) {
                anyBad = true;
                Main.say(err, "line " + l.number + ": " + e.getMessage(), false);
            }
        }
        if (!valid.isEmpty()) {
            int[][] prompts = new int[valid.size()][];
            for (int i = 0; i < prompts.length; i++) {
                prompts[i] = valid.get(i).ids;
            }
            String[] sorted = task.sortEncoded(prompts);
            for (int i = 0; i < sorted.length; i++) {
                valid.get(i).answer = sorted[i];
            }
        }
        err.flush();
        for (Line l : chunk) {
            out.println(l.answer);
        }
        out.flush();
    }

    private int[] encode(Line l) {
        if (l.length > l.text.length()) {
            SortVocabulary.encode(l.text); // a letter outside the vocabulary is named first
            throw new InvalidInputException(Words.quote(l.text) + " has " + Words.count(l.length, "character")
                    + "; this model sorts exactly " + task.length() + " letters");
        }
        return task.encode(l.text);
    }

    /** The next line (without its end, {@code \n} or {@code \r\n}), or null at the end of the input. */
    private static Line read(BufferedReader r, long number) throws IOException {
        StringBuilder sb = new StringBuilder();
        long length = 0;
        int c;
        while ((c = r.read()) >= 0 && c != '\n') {
            if (length++ < MAX_LINE) {
                sb.append((char) c);
            }
        }
        if (c < 0 && length == 0) {
            return null;
        }
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r' && length <= MAX_LINE) {
            sb.setLength(sb.length() - 1);
            length--;
        }
        return new Line(number, sb.toString(), length);
    }
}
