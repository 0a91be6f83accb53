package dev.jgpt.spark;

import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Tokenizer;
import java.util.List;
import org.apache.spark.sql.Row;

/** A row's prompt as token ids: its text encoded by the model's tokenizer, or its array of ids as they are. */
final class RowPrompt {
    private RowPrompt() {
    }

    /**
     * The prompt in column {@code column} of {@code row} ({@code text}: a string column, else an array of integers).
     *
     * @throws InvalidInputException for a null or empty prompt, a null id, or an id that is not an int
     */
    static int[] ids(Row row, int column, boolean text, Tokenizer tokenizer) {
        if (row.isNullAt(column)) {
            throw new InvalidInputException("no prompt: the prompt is null");
        }
        if (text) {
            String s = row.getString(column);
            if (s.isEmpty()) {
                throw new InvalidInputException("empty prompt: give some text");
            }
            return tokenizer.encode(s);
        }
        List<Object> list = row.getList(column);
        if (list.isEmpty()) {
            throw new InvalidInputException("empty prompt: give at least one token id");
        }
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            Object o = list.get(i);
            if (!(o instanceof Number)) {
                throw new InvalidInputException("token " + i + " of the prompt is null; give whole numbers");
            }
            long v = ((Number) o).longValue();
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new InvalidInputException("token id " + v + " is out of range");
            }
            ids[i] = (int) v;
        }
        return ids;
    }

    /** The row's seed in column {@code column} (or {@code fallback} when there is none or it is null). */
    static long seed(Row row, int column, long fallback) {
        if (column < 0 || row.isNullAt(column)) {
            return fallback;
        }
        return ((Number) row.get(column)).longValue();
    }
}
