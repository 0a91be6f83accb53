package dev.jgpt.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The transformer on a real local Spark (two cores, tasks retried), against generation alone in this process. */
class GptTransformerTest {
    private static SparkSession spark;

    @TempDir
    static Path models;

    @BeforeAll
    static void start() {
        spark = SparkTests.session();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static final StructType TEXT = new StructType().add("row", DataTypes.LongType, false)
            .add("prompt", DataTypes.StringType, true).add("seed", DataTypes.LongType, true);

    /** {@code n} prompts of 1 to 8 letters (the context is 11), each with its own seed. */
    private static Dataset<Row> prompts(int n, int partitions) {
        Random r = new Random(42);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create((long) i, SparkTests.letters(r, 8), r.nextLong()));
        }
        return spark.createDataFrame(rows, TEXT).repartition(partitions);
    }

    private static Map<Long, Row> byRow(List<Row> rows) {
        Map<Long, Row> m = new HashMap<>();
        for (Row x : rows) {
            assertNull(m.put(x.getLong(0), x), "row " + x.getLong(0) + " came out twice");
        }
        return m;
    }

    private static int[] ids(Row r) {
        List<Integer> l = r.getList(r.fieldIndex(OutputColumns.COMPLETION_IDS));
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * 2,000 prompts of mixed lengths and seeds, sampled (temperature 1) from a random-weights model (unsure of every
     * token, so seeds and numeric differences show) in 8 partitions on two cores: every row
     * comes out once, and its tokens are bit for bit those of the same prompt and seed generated alone in this
     * process (what {@code gpt generate} does), whatever shared its forward passes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "plain"})
    void everyRowOnceAndAsGeneratedAlone(String backend) throws Exception {
        Path model = SparkTests.randomModel(models);
        Dataset<Row> in = prompts(2000, 8);
        List<Row> out = new GptTransformer().setModel(model.toString()).setBackend(backend).setSeedCol("seed")
                .setTemperature(1.0).transform(in).collectAsList();
        assertEquals(2000, out.size());
        Map<Long, Row> rows = byRow(out);
        assertEquals(2000, rows.size());
        try (Gpt gpt = SparkTests.model(model, backend)) {
            int differentFromGreedy = 0;
            for (Row r : rows.values()) {
                String prompt = r.getString(1);
                int[] p = gpt.tokenizer().encode(prompt);
                int[] expected = SparkTests.alone(gpt, p, 1.0, r.getLong(2));
                assertArrayEquals(expected, ids(r), "row " + r.getLong(0) + " '" + prompt + "' on " + backend);
                assertEquals(gpt.tokenizer().decode(expected), r.getAs(OutputColumns.COMPLETION));
                assertEquals(p.length, (int) r.getAs(OutputColumns.PROMPT_TOKENS));
                assertEquals(expected.length, (int) r.getAs(OutputColumns.COMPLETION_TOKENS));
                assertEquals("length", r.getAs(OutputColumns.FINISH_REASON));
                assertNull(r.getAs(OutputColumns.ERROR));
                if (!java.util.Arrays.equals(expected, SparkTests.alone(gpt, p, null, 0))) {
                    differentFromGreedy++;
                }
            }
            assertTrue(differentFromGreedy > 1000, "the seeds make no difference: only " + differentFromGreedy
                    + " of 2000 rows differ from greedy decoding");
        }
    }

    /** A task that fails mid-partition is retried by Spark: the output is complete, with no row twice. */
    @Test
    void aFailedTaskIsRetriedAndTheOutputStaysComplete() throws Exception {
        AtomicInteger failed = new AtomicInteger();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskInfo().failed()) {
                    failed.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        Dataset<Row> in = prompts(300, 4);
        List<Row> expected = new GptTransformer().setBackend("vector").setSeedCol("seed").setTemperature(1.0)
                .transform(in).collectAsList();
        System.setProperty(FailureInjection.PROPERTY, "7");
        List<Row> out;
        try {
            out = new GptTransformer().setBackend("vector").setSeedCol("seed").setTemperature(1.0)
                    .transform(in).collectAsList();
        } finally {
            System.clearProperty(FailureInjection.PROPERTY);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            spark.sparkContext().removeSparkListener(listener);
        }
        assertEquals(1, failed.get(), "the injected failure did not happen once");
        Map<Long, Row> got = byRow(out);
        Map<Long, Row> want = byRow(expected);
        assertEquals(want.keySet(), got.keySet());
        for (Map.Entry<Long, Row> e : want.entrySet()) {
            assertArrayEquals(ids(e.getValue()), ids(got.get(e.getKey())), "row " + e.getKey());
        }
    }

    /** Rows that cannot run get a one-line error, the others their completion, and the job succeeds. */
    @Test
    void badRowsLandInTheErrorColumn() {
        List<Row> text = List.of(RowFactory.create(0L, "", null), RowFactory.create(1L, null, null),
                RowFactory.create(2L, "ABCABCABCABC", null), RowFactory.create(3L, "ABXC", null),
                RowFactory.create(4L, "CBABBC", null));
        Map<Long, Row> t = byRow(new GptTransformer().setBackend("plain").setSeedCol("seed")
                .transform(spark.createDataFrame(text, TEXT)).collectAsList());
        StructType idsSchema = new StructType().add("row", DataTypes.LongType, false)
                .add("prompt", DataTypes.createArrayType(DataTypes.LongType, true), true);
        List<Row> ids = List.of(RowFactory.create(10L, List.of(0L, 7L)), RowFactory.create(11L, List.of(-1L)),
                RowFactory.create(12L, List.of()), RowFactory.create(13L, java.util.Arrays.asList(0L, null)),
                RowFactory.create(14L, List.of(1L << 40)), RowFactory.create(15L, List.of(2L, 1L, 0L)));
        Map<Long, Row> d = byRow(new GptTransformer().setBackend("plain")
                .transform(spark.createDataFrame(ids, idsSchema)).collectAsList());
        Map<Long, Row> all = new HashMap<>(t);
        all.putAll(d);
        Set<Long> good = Set.of(4L, 15L);
        for (Row r : all.values()) {
            String error = r.getAs(OutputColumns.ERROR);
            if (good.contains(r.getLong(0))) {
                assertNull(error, "row " + r.getLong(0));
                assertNotNull(r.getAs(OutputColumns.COMPLETION));
                continue;
            }
            assertNotNull(error, "row " + r.getLong(0) + " has no error");
            assertFalse(error.contains("\n") || error.contains("Exception") || error.contains("java."),
                    "not one clean line: " + error);
            assertNull(r.getAs(OutputColumns.COMPLETION));
        }
        assertEquals("ABBBCC", t.get(4L).getAs(OutputColumns.COMPLETION));
        assertTrue(((String) t.get(0L).getAs(OutputColumns.ERROR)).contains("empty prompt"));
        assertTrue(((String) t.get(1L).getAs(OutputColumns.ERROR)).contains("no prompt"));
        assertTrue(((String) t.get(2L).getAs(OutputColumns.ERROR)).contains("11"), "the limit is named: "
                + t.get(2L).getAs(OutputColumns.ERROR));
        assertTrue(((String) d.get(10L).getAs(OutputColumns.ERROR)).contains("7"));
        assertTrue(((String) d.get(14L).getAs(OutputColumns.ERROR)).contains("out of range"));
    }

    /** With failOnError, the first bad row fails the job, with gpt's own error as the cause. */
    @Test
    void failOnErrorFailsTheJob() {
        List<Row> text = List.of(RowFactory.create(0L, "CBA", null), RowFactory.create(1L, "", null));
        Exception e = assertThrows(Exception.class, () -> new GptTransformer().setBackend("plain")
                .setFailOnError(true).transform(spark.createDataFrame(text, TEXT)).collectAsList());
        assertTrue(SparkFailures.unwrap(e) instanceof InvalidInputException, "cause: " + e);
        assertTrue(SparkFailures.unwrap(e).getMessage().contains("empty prompt"), e.getMessage());
    }

    /** An executor loads the model once however many partitions (and tasks) use it. */
    @Test
    void oneModelPerExecutorWhateverThePartitions() {
        int before = ExecutorModels.loads();
        List<Row> out = new GptTransformer().setBackend("plain").setMaxBatch(5).transform(prompts(400, 16))
                .collectAsList();
        assertEquals(400, out.size());
        assertEquals(before + 1, ExecutorModels.loads(), "16 partitions, one load");
        new GptTransformer().setBackend("plain").setMaxBatch(5).transform(prompts(50, 4)).collectAsList();
        assertEquals(before + 1, ExecutorModels.loads(), "a second job reuses the executor's model");
    }

    /** The schema is checked before any job: a missing or mistyped column is named. */
    @Test
    void wrongColumnsAreNamed() {
        Dataset<Row> in = prompts(3, 1);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new GptTransformer().setInputCol("text").transform(in));
        assertTrue(missing.getMessage().contains("'text'"), missing.getMessage());
        IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
                () -> new GptTransformer().setSeedCol("prompt").transform(in));
        assertTrue(seed.getMessage().contains("seed column 'prompt'"), seed.getMessage());
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> new GptTransformer().transform(in.withColumnRenamed("seed", "completion")));
        assertTrue(taken.getMessage().contains("'completion'"), taken.getMessage());
        assertEquals(new HashSet<>(List.of("row", "prompt", "seed", "completion", "completion_ids",
                "finish_reason", "prompt_tokens", "completion_tokens", "error")),
                new HashSet<>(List.of(new GptTransformer().transformSchema(in.schema()).fieldNames())));
    }
}
