package dev.jgpt.spark;

import dev.jgpt.cli.UsageException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of {@code gpt batch}: spark-submit's own master when it launched us, else {@code --master}, else
 * an embedded local Spark on every core. A local master gets 4 attempts per task ({@code local[N,4]}), as a cluster's
 * default {@code spark.task.maxFailures}, which local mode otherwise ignores; no web UI and the loopback address only.
 */
final class LocalSpark {
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|[0-9]+)])?");

    private LocalSpark() {
    }

    static SparkSession session(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("gpt batch");
        String m = master != null ? master : System.getProperty("spark.master");
        if (m == null) {
            m = "local[*]";
        }
        String effective = withRetries(m);
        boolean local = effective.startsWith("local");
        b.master(effective);
        if (local) {
            b.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1");
        }
        try {
            return b.getOrCreate();
        } catch (Exception e) { // SparkException is checked, and undeclared
            throw new UsageException("cannot start Spark with master " + m + ": " + Messages.of(e)
                    + "; give --master local[N] or a cluster's URL (spark://host:7077, yarn, k8s://…)");
        }
    }

    /** {@code local}, {@code local[N]} and {@code local[*]} with 4 attempts per task; any other master as it is. */
    static String withRetries(String master) {
        Matcher x = LOCAL.matcher(master.strip());
        if (!x.matches()) {
            return master.strip();
        }
        return "local[" + (x.group(1) == null ? "1" : x.group(1)) + ",4]";
    }
}
