package dev.jgpt.spark;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code gpt batch}'s progress on stderr: rows done of all, generated tokens and tokens per second. Rows are counted
 * by accumulators as they leave the generation and taken from successful tasks only (a retried task's first attempt
 * does not count twice), so the figures move as tasks end. On a terminal the line is redrawn every second; otherwise
 * a line is printed every {@value #QUIET_SECONDS} seconds, and always a last one.
 */
final class BatchProgress extends SparkListener implements AutoCloseable {
    static final int QUIET_SECONDS = 10;

    private final LongAccumulator rowsAcc;
    private final LongAccumulator tokensAcc;
    private final LongAccumulator errorsAcc;
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final long total;
    private final long start = System.nanoTime();
    private final PrintWriter err;
    private final boolean terminal = System.console() != null;
    private final Thread printer;
    private volatile boolean done;

    BatchProgress(SparkSession spark, long total, PrintWriter err) {
        this.total = total;
        this.err = err;
        this.rowsAcc = spark.sparkContext().longAccumulator("gpt batch rows");
        this.tokensAcc = spark.sparkContext().longAccumulator("gpt batch tokens");
        this.errorsAcc = spark.sparkContext().longAccumulator("gpt batch errors");
        spark.sparkContext().addSparkListener(this);
        printer = new Thread(this::print, "gpt-batch-progress");
        printer.setDaemon(true);
        printer.start();
    }

    /** {@code results}, counting each row as it passes. */
    Dataset<Row> counted(Dataset<Row> results) {
        LongAccumulator r = rowsAcc;
        LongAccumulator t = tokensAcc;
        LongAccumulator e = errorsAcc;
        return results.map((org.apache.spark.api.java.function.MapFunction<Row, Row>) row -> {
            r.add(1);
            Object n = row.getAs(OutputColumns.COMPLETION_TOKENS);
            if (n != null) {
                t.add(((Number) n).longValue());
            }
            if (row.getAs(OutputColumns.ERROR) != null) {
                e.add(1);
            }
            return row;
        }, Encoders.row(results.schema()));
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) {
            return;
        }
        for (AccumulableInfo a : scala.jdk.javaapi.CollectionConverters.asJava(end.taskInfo().accumulables())) {
            if (a.update().isEmpty()) {
                continue;
            }
            long v = ((Number) a.update().get()).longValue();
            if (a.id() == rowsAcc.id()) {
                rows.addAndGet(v);
            } else if (a.id() == tokensAcc.id()) {
                tokens.addAndGet(v);
            } else if (a.id() == errorsAcc.id()) {
                errors.addAndGet(v);
            }
        }
    }

    long rows() {
        return rows.get();
    }

    long errors() {
        return errors.get();
    }

    long tokens() {
        return tokens.get();
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private String line() {
        double s = seconds();
        return String.format(Locale.ROOT, "gpt: batch: %,d/%,d rows, %,d tokens, %,.0f tokens/s, %.1f s", rows(),
                total, tokens(), tokens() / Math.max(s, 1e-9), s);
    }

    private void print() {
        long last = System.nanoTime();
        while (!done) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (done) {
                return;
            }
            if (terminal) {
                err.print("\r" + line());
                err.flush();
            } else if (System.nanoTime() - last > QUIET_SECONDS * 1_000_000_000L) {
                err.println(line());
                last = System.nanoTime();
            }
        }
    }

    @Override
    public void close() {
        done = true;
        printer.interrupt();
        if (terminal) {
            err.print("\r");
        }
    }

    /** The last line: what was done, and where it went. */
    void finish(String where) {
        close();
        err.println(line() + (errors() > 0 ? ", " + errors() + " failed (see their error column)" : "") + " → "
                + where);
        err.flush();
    }
}
