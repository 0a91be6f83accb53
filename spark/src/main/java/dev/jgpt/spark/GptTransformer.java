package dev.jgpt.spark;

import dev.jgpt.api.BackendSelection;
import dev.jgpt.api.Backends;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * GPT generation as a Spark ML {@link Transformer}: each row's prompt (column {@link #inputCol}: text, or an array of
 * token ids) is continued by the model, and the row comes out with the columns {@code completion},
 * {@code completion_ids}, {@code finish_reason}, {@code prompt_tokens}, {@code completion_tokens} and {@code error}.
 *
 * <pre>{@code
 * Dataset<Row> out = new GptTransformer().setModel("/models/gpt2.gguf").setMaxNewTokens(32)
 *         .setSeedCol("seed").setTemperature(0.8).transform(prompts);
 * }</pre>
 *
 * <p>Each executor loads the model once ({@link ExecutorModels}) and streams its partitions through one engine with
 * continuous batching; a row's output depends only on its prompt, seed and the settings, never on its partition or
 * the rows beside it (bit-identical to {@code gpt generate} on the batch-invariant backends, plain and vector). A row
 * that cannot run gets its one-line message in {@code error} and the job goes on, unless {@link #failOnError}.
 * The backend is chosen on the driver with the CLI's names and precedence ({@code backend}, else
 * {@code -Dgpt.backend}, {@code GPT_BACKEND}, {@code gpt.properties}, best rank).
 */
public final class GptTransformer extends Transformer {
    private static final long serialVersionUID = 1L;
    private final String uid;

    // created in the constructor, after the uid they belong to (a Param takes its parent's uid when made)
    private final Param<String> inputCol;
    private final Param<String> seedCol;
    private final Param<String> model;
    private final Param<String> backend;
    private final IntParam maxNewTokens;
    private final DoubleParam temperature;
    private final IntParam topK;
    private final DoubleParam topP;
    private final LongParam seed;
    private final StringArrayParam stop;
    private final IntParam maxBatch;
    private final IntParam kvCacheMb;
    private final BooleanParam failOnError;

    public GptTransformer() {
        this("gptTransformer_" + UUID.randomUUID().toString().substring(0, 12));
    }

    /** With a given uid (Spark ML's copy makes one this way). */
    public GptTransformer(String uid) {
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", "prompt column: string or array<int>");
        this.seedCol = new Param<>(this, "seedCol", "per-row seed column (int/bigint), or empty");
        this.model = new Param<>(this, "model",
                "model folder or GGUF file as the executors see it; empty for the embedded sort model");
        this.backend = new Param<>(this, "backend", "backend name; empty for the CLI's choice");
        this.maxNewTokens = new IntParam(this, "maxNewTokens",
                "tokens to generate per row; -1 for gpt generate's default (16, or what the context leaves)");
        this.temperature = new DoubleParam(this, "temperature",
                "sampling temperature > 0; unset or 0: greedy, unless topK or topP is set (then 1)");
        this.topK = new IntParam(this, "topK", "sample among the k most likely tokens (k ≥ 1)");
        this.topP = new DoubleParam(this, "topP", "sample within top probability p, p in (0, 1]");
        this.seed = new LongParam(this, "seed", "seed of rows without their own");
        this.stop = new StringArrayParam(this, "stop", "texts that end a row's generation");
        this.maxBatch = new IntParam(this, "maxBatch", "most sequences in one forward pass");
        this.kvCacheMb = new IntParam(this, "kvCacheMb", "KV cache per executor in MiB");
        this.failOnError = new BooleanParam(this, "failOnError",
                "fail the job on a row that cannot run, instead of filling its error column");
        setDefault(inputCol, "prompt");
        setDefault(seedCol, "");
        setDefault(model, "");
        setDefault(backend, "");
        setDefault(maxNewTokens, -1);
        setDefault(temperature, 0.0); // the sampling parameters count only where set (given)
        setDefault(topK, 0);
        setDefault(topP, 1.0);
        setDefault(seed, 0L);
        setDefault(stop, new String[0]);
        setDefault(maxBatch, 64);
        setDefault(kvCacheMb, 1024);
        setDefault(failOnError, false);
    }

    @Override
    public String uid() {
        return uid;
    }

    // Spark ML finds a stage's parameters through these public accessors
    public Param<String> inputCol() { return inputCol; }
    public Param<String> seedCol() { return seedCol; }
    public Param<String> model() { return model; }
    public Param<String> backend() { return backend; }
    public IntParam maxNewTokens() { return maxNewTokens; }
    public DoubleParam temperature() { return temperature; }
    public IntParam topK() { return topK; }
    public DoubleParam topP() { return topP; }
    public LongParam seed() { return seed; }
    public StringArrayParam stop() { return stop; }
    public IntParam maxBatch() { return maxBatch; }
    public IntParam kvCacheMb() { return kvCacheMb; }
    public BooleanParam failOnError() { return failOnError; }

    public GptTransformer setInputCol(String v) { return put(inputCol, v); }
    public GptTransformer setSeedCol(String v) { return put(seedCol, v); }
    public GptTransformer setModel(String v) { return put(model, v); }
    public GptTransformer setBackend(String v) { return put(backend, v); }
    public GptTransformer setMaxNewTokens(int v) { return put(maxNewTokens, v); }
    public GptTransformer setTemperature(double v) { return put(temperature, v); }
    public GptTransformer setTopK(int v) { return put(topK, v); }
    public GptTransformer setTopP(double v) { return put(topP, v); }
    public GptTransformer setSeed(long v) { return put(seed, v); }
    public GptTransformer setStop(String... v) { return put(stop, v.clone()); }
    public GptTransformer setMaxBatch(int v) { return put(maxBatch, v); }
    public GptTransformer setKvCacheMb(int v) { return put(kvCacheMb, v); }
    public GptTransformer setFailOnError(boolean v) { return put(failOnError, v); }

    private <T> GptTransformer put(Param<T> p, T value) {
        set(p, value);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        InputColumns.of(schema, getOrDefault(inputCol), getOrDefault(seedCol));
        return OutputColumns.schema(schema);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        InputColumns columns = InputColumns.of(dataset.schema(), getOrDefault(inputCol), getOrDefault(seedCol));
        StructType out = OutputColumns.schema(dataset.schema());
        GenerationSettings settings = settings();
        boolean fail = (Boolean) getOrDefault(failOnError);
        JavaRDD<Row> rows = dataset.toDF().javaRDD()
                .mapPartitions(it -> new PartitionGenerator(settings, columns, fail, it));
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    /**
     * The settings the executors run with; the backend resolved here, on the driver.
     *
     * @throws dev.jgpt.model.InvalidInputException for a setting out of range
     * @throws dev.jgpt.api.BackendException for a backend that is unknown or unavailable
     */
    public GenerationSettings settings() {
        String m = getOrDefault(model);
        String b = getOrDefault(backend);
        String chosen = BackendSelection.ofProcess().choose(b.isEmpty() ? null : b, Backends.discover()).provider()
                .name();
        int n = (Integer) getOrDefault(maxNewTokens);
        List<String> stops = Arrays.asList(getOrDefault(stop));
        Double t = isSet(temperature) && (Double) getOrDefault(temperature) != 0.0 // 0: greedy, its default
                ? (Double) getOrDefault(temperature) : null;
        Integer k = isSet(topK) ? (Integer) getOrDefault(topK) : null; // sampling counts only where set
        Double p = isSet(topP) ? (Double) getOrDefault(topP) : null;
        return new GenerationSettings(m.isEmpty() ? null : m, chosen, n < 0 ? null : n, t, k, p,
                (Long) getOrDefault(seed), stops, (Integer) getOrDefault(maxBatch), (Integer) getOrDefault(kvCacheMb));
    }

    @Override
    public GptTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
