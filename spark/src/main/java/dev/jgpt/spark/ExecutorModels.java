package dev.jgpt.spark;

import dev.jgpt.cli.ModelOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkFiles;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode): one {@link SharedEngine} per model, backend
 * and batch size, loaded lazily by the first task that needs it and shared by every later task, so an executor holds
 * one copy of the weights however many partitions it runs.
 */
final class ExecutorModels {
    private record Key(String model, String backend, int maxBatch, int kvCacheMb) {
    }

    private static final ConcurrentHashMap<Key, SharedEngine> ENGINES = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {
    }

    /** The engine for these settings, loading its model on first use (other threads wait for it). */
    static SharedEngine engine(GenerationSettings s) {
        return ENGINES.computeIfAbsent(new Key(s.model(), s.backend(), s.maxBatch(), s.kvCacheMb()),
                k -> {
                    LOADS.incrementAndGet();
                    return new SharedEngine(ModelOptions.load(resolve(k.model()), k.backend()), k.maxBatch(),
                            k.kvCacheMb());
                });
    }

    /** Models loaded in this JVM so far. */
    static int loads() {
        return LOADS.get();
    }

    /**
     * Where this JVM finds {@code model}: the path itself when it exists here (a shared file system, or local mode),
     * else a file of that name shipped with {@code spark-submit --files} ({@link SparkFiles}), else the path as given
     * (whose load then fails naming it). Null stays null: the embedded sort model.
     */
    static Path resolve(String model) {
        if (model == null) {
            return null;
        }
        Path p = Path.of(model);
        if (Files.exists(p) || p.getFileName() == null) {
            return p;
        }
        try {
            Path shipped = Path.of(SparkFiles.get(p.getFileName().toString()));
            if (Files.exists(shipped)) {
                return shipped;
            }
        } catch (RuntimeException e) {
            // no Spark environment here (the driver before its context starts): the path as given
        }
        return p;
    }
}
