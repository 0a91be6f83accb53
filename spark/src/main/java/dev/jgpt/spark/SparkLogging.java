package dev.jgpt.spark;

/**
 * Keeps Spark's logging off {@code gpt batch}'s stderr, which carries only gpt's own lines: log4j2 reads this
 * module's configuration (nothing; errors and warnings with {@code --verbose}: a failed task logs its stack trace, and gpt reports the cause in one line) unless the user gave one. Set before
 * anything logs, so before Spark or a backend starts.
 */
final class SparkLogging {
    static final String CONFIG = "dev/jgpt/spark/batch-log4j2.properties";

    private SparkLogging() {
    }

    static void quiet(boolean verbose) {
        if (System.getProperty("log4j2.configurationFile") == null
                && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", CONFIG);
            System.setProperty("jgpt.spark.logLevel", verbose ? "warn" : "off");
        }
    }
}
