package dev.jgpt.spark;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.jgpt.model.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The prompts of {@code gpt batch}, as rows {@code row} (a unique 0-based number: the position of the line or row
 * as Spark reads the input, which for one file of up to 128 MB is its line number; Spark reads a folder's files, and
 * a larger file's splits, largest first),
 * {@code id} (the input's own id, as text, or null), {@code prompt} (text, or an array of token ids), {@code seed}
 * (or null) and {@code input_error} (why a line could not be read, or null).
 *
 * <ul>
 *   <li>{@code text}: one prompt per line, as {@code gpt generate} reads standard input: blank lines skipped, each
 *       line stripped;</li>
 *   <li>{@code jsonl}: one JSON object per line with {@code prompt} (a string, or an array of token ids; every line
 *       of one input the same kind, the first line's), optional {@code id} and {@code seed}; a line that is not such
 *       an object becomes a row with its error;</li>
 *   <li>{@code parquet}: a {@code prompt} column (string or array of int/bigint), optional {@code id} and
 *       {@code seed} (int or bigint).</li>
 * </ul>
 */
final class BatchInput {
    enum Format { jsonl, text, parquet }

    static final String ROW = "row";
    static final String INPUT_ERROR = "input_error";

    private BatchInput() {
    }

    /** The format named by the input's extension ({@code .jsonl}/{@code .json}, {@code .parquet}, else text). */
    static Format byName(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".jsonl") || p.endsWith(".json")) {
            return Format.jsonl;
        }
        if (p.endsWith(".parquet")) {
            return Format.parquet;
        }
        return Format.text;
    }

    /** Refuses, before any job, an input that is not there. */
    static void checkExists(org.apache.hadoop.conf.Configuration conf, String path) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        boolean exists;
        try {
            exists = p.getFileSystem(conf).exists(p);
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidInputException("cannot read --input " + path + ": " + Messages.of(e));
        }
        if (!exists) {
            throw new InvalidInputException("cannot read --input " + path + ": no such file or folder");
        }
    }

    /** The prompts, in ranges of rows over the partitions, and how many there are. */
    record Prompts(JavaRDD<Row> rows, long total) {
    }

    /** The prompts at {@code path}, numbered and spread over {@code partitions} (null: 4 per core). */
    static Dataset<Row> read(SparkSession spark, String path, Format format, Integer partitions, long[] total) {
        int cores = spark.sparkContext().defaultParallelism();
        Prompts p;
        StructType schema;
        if (format == Format.parquet) {
            Dataset<Row> d = spark.read().parquet(path);
            schema = schema(checkedParquet(d));
            List<String> names = Arrays.asList(d.schema().fieldNames());
            int prompt = names.indexOf("prompt");
            int id = names.indexOf("id");
            int seed = names.indexOf("seed");
            p = RowNumbers.number(d.javaRDD(), r -> true, (r, n) -> RowFactory.create(n,
                    id < 0 || r.isNullAt(id) ? null : String.valueOf(r.get(id)), r.get(prompt),
                    seed < 0 || r.isNullAt(seed) ? null : ((Number) r.get(seed)).longValue(), null), partitions, cores);
        } else {
            boolean json = format == Format.jsonl;
            JavaRDD<String> text = spark.read().textFile(path).javaRDD();
            boolean ids = json && idsPrompts(text.take(1000));
            schema = schema(ids ? DataTypes.createArrayType(DataTypes.LongType) : DataTypes.StringType);
            p = RowNumbers.number(text, line -> !line.isBlank(), (line, n) -> json ? jsonRow(line, n, ids)
                    : RowFactory.create(n, null, line.strip(), null, null), partitions, cores);
        }
        total[0] = p.total();
        return spark.createDataFrame(p.rows(), schema);
    }

    /** Whether the first JSON line with a prompt gives it as an array of ids. */
    private static boolean idsPrompts(List<String> head) {
        for (String line : head) {
            try {
                JsonElement p = JsonParser.parseString(line).getAsJsonObject().get("prompt");
                if (p != null && !p.isJsonNull()) {
                    return p.isJsonArray();
                }
            } catch (RuntimeException e) {
                // a line that is no object: its row will say so
            }
        }
        return false;
    }

    private static Row jsonRow(String line, long row, boolean ids) {
        String id = null;
        try {
            JsonElement e = JsonParser.parseString(line);
            if (!e.isJsonObject()) {
                throw new InvalidInputException("the line is not a JSON object; give {\"prompt\": ...}");
            }
            JsonObject o = e.getAsJsonObject();
            JsonElement idValue = o.get("id");
            id = idValue == null || idValue.isJsonNull() ? null
                    : idValue.isJsonPrimitive() ? idValue.getAsString() : idValue.toString();
            Object prompt = prompt(o.get("prompt"), ids);
            return RowFactory.create(row, id, prompt, seed(o.get("seed")), null);
        } catch (JsonParseException | IllegalStateException e) {
            return RowFactory.create(row, id, null, null, "line " + (row + 1) + " is not valid JSON: "
                    + Messages.of(e));
        } catch (InvalidInputException e) {
            return RowFactory.create(row, id, null, null, Messages.of(e));
        }
    }

    private static Object prompt(JsonElement p, boolean ids) {
        if (p == null || p.isJsonNull()) {
            throw new InvalidInputException("no \"prompt\" field; give a string or an array of token ids");
        }
        if (!ids) {
            if (!p.isJsonPrimitive() || !((JsonPrimitive) p).isString()) {
                throw new InvalidInputException("\"prompt\" must be a string here (the input's first prompt is "
                        + "text); give every line the same kind");
            }
            return p.getAsString();
        }
        if (!p.isJsonArray()) {
            throw new InvalidInputException("\"prompt\" must be an array of token ids here (the input's first "
                    + "prompt is); give every line the same kind");
        }
        JsonArray a = p.getAsJsonArray();
        List<Long> out = new ArrayList<>(a.size());
        for (JsonElement x : a) {
            out.add(whole(x, "a token id in \"prompt\""));
        }
        return scala.jdk.javaapi.CollectionConverters.asScala(out).toSeq(); // what Spark's row encoder takes
    }

    private static Long seed(JsonElement s) {
        return s == null || s.isJsonNull() ? null : whole(s, "\"seed\"");
    }

    private static long whole(JsonElement x, String what) {
        if (x.isJsonPrimitive() && ((JsonPrimitive) x).isNumber()) {
            try {
                return x.getAsBigDecimal().longValueExact();
            } catch (ArithmeticException e) {
                // not whole, or too large
            }
        }
        throw new InvalidInputException(what + " must be a whole number, got " + x);
    }

    /** The prompt column's type, after checking the Parquet input's columns on the driver. */
    private static DataType checkedParquet(Dataset<Row> d) {
        List<String> names = Arrays.asList(d.schema().fieldNames());
        if (!names.contains("prompt")) {
            throw new InvalidInputException("the Parquet input has no 'prompt' column (columns: "
                    + String.join(", ", names) + ")");
        }
        InputColumns.of(d.schema(), "prompt", names.contains("seed") ? "seed" : "");
        return d.schema().apply("prompt").dataType();
    }

    private static StructType schema(DataType prompt) {
        return new StructType()
                .add(ROW, DataTypes.LongType, false)
                .add("id", DataTypes.StringType, true)
                .add("prompt", prompt, true)
                .add("seed", DataTypes.LongType, true)
                .add(INPUT_ERROR, DataTypes.StringType, true);
    }
}
