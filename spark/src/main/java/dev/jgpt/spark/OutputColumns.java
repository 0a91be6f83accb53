package dev.jgpt.spark;

import dev.jgpt.model.Sequence;
import dev.jgpt.model.Tokenizer;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns a generation appends to its input row: the completion's text and ids, why it ended, the prompt's and
 * completion's token counts (OpenAI's {@code usage}), and the one-line error of a row that could not run (then the
 * others are null).
 */
final class OutputColumns {
    static final String COMPLETION = "completion";
    static final String COMPLETION_IDS = "completion_ids";
    static final String FINISH_REASON = "finish_reason";
    static final String PROMPT_TOKENS = "prompt_tokens";
    static final String COMPLETION_TOKENS = "completion_tokens";
    static final String ERROR = "error";

    private static final StructField[] FIELDS = {
        DataTypes.createStructField(COMPLETION, DataTypes.StringType, true),
        DataTypes.createStructField(COMPLETION_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), true),
        DataTypes.createStructField(FINISH_REASON, DataTypes.StringType, true),
        DataTypes.createStructField(PROMPT_TOKENS, DataTypes.IntegerType, true),
        DataTypes.createStructField(COMPLETION_TOKENS, DataTypes.IntegerType, true),
        DataTypes.createStructField(ERROR, DataTypes.StringType, true),
    };

    private OutputColumns() {
    }

    /**
     * {@code input} with the output columns appended.
     *
     * @throws IllegalArgumentException when the input already has one of them
     */
    static StructType schema(StructType input) {
        StructType out = input;
        for (StructField f : FIELDS) {
            if (Arrays.asList(input.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException("the input already has a column '" + f.name()
                        + "', which the generation adds; rename or drop it");
            }
            out = out.add(f);
        }
        return out;
    }

    /** {@code row} with the output of {@code outcome} appended. */
    static Row append(Row row, SharedEngine.Outcome outcome, Tokenizer tokenizer) {
        Object[] values = new Object[row.length() + FIELDS.length];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        int o = row.length();
        Sequence s = outcome.sequence();
        if (s == null) {
            values[o + 5] = outcome.error();
        } else {
            int[] generated = s.generated();
            values[o] = tokenizer.decode(generated);
            values[o + 1] = generated; // int[]: what both Spark row encoders and createDataFrame take as array<int>
            values[o + 2] = s.finishReason().name().toLowerCase(Locale.ROOT);
            values[o + 3] = s.request().prompt().length;
            values[o + 4] = generated.length;
        }
        return RowFactory.create(values);
    }
}
