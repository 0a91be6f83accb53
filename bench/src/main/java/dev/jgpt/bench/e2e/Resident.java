package dev.jgpt.bench.e2e;

import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.GenerateOptions;
import dev.jgpt.model.Gpt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Resident memory of a model: measured in a JVM of its own (the bench's own holds a bandwidth buffer and every
 * earlier model), started with this JVM's options and class path. The child loads the model on the named backend,
 * reads its resident set size (VmRSS of /proc/self/status) after a garbage collection, then generates tokens and
 * reads it again, and its peak (VmHWM): "resident memory while generating", the figure llama.cpp is compared by.
 */
public final class Resident {
    /** How long the child may take before it is stopped (a GPT-2-124M load and 32 tokens take seconds). */
    static final long TIMEOUT_SECONDS = 300;

    /** What the child measured, in bytes (all −1 where /proc is not there). */
    public record Memory(long afterLoad, long generating, long peak) {
    }

    private Resident() {
    }

    /** Resident memory of {@code model} loaded on {@code backend} while generating {@code tokens} tokens. */
    public static Memory measure(Path model, String backend, int tokens) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !arg.startsWith("-Xrunjdwp")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Resident.class.getName(),
                model.toString(), backend, Integer.toString(tokens)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Map<String, Long> values = new HashMap<>();
            StringBuilder other = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    int eq = line.indexOf('=');
                    if (line.startsWith("resident.") && eq > 0) {
                        values.put(line.substring(9, eq), Long.parseLong(line.substring(eq + 1).strip()));
                    } else if (!line.startsWith("WARNING: Using incubator modules")) {
                        other.append(other.length() == 0 ? "" : " ").append(line.strip());
                    }
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the resident-memory probe did not finish in " + TIMEOUT_SECONDS
                        + " s");
            }
            if (p.exitValue() != 0 || !values.containsKey("peak")) {
                throw new IllegalStateException("the resident-memory probe failed: " + firstLine(other.toString()));
            }
            return new Memory(values.get("after_load"), values.get("generating"), values.get("peak"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the resident-memory probe: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring resident memory", e);
        }
    }

    private static String firstLine(String s) {
        int at = s.indexOf(" at ");
        return (at > 0 ? s.substring(0, at) : s).replace("Exception in thread \"main\" ", "");
    }

    /** The child: {@code MODEL BACKEND TOKENS}; prints {@code resident.after_load=}, {@code .generating=}, {@code .peak=}. */
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int tokens = Integer.parseInt(args[2]);
        try (TensorBackend backend = Backends.discover().require(args[1]).create();
             Gpt gpt = Gpt.load(model, backend)) {
            System.gc();
            System.out.println("resident.after_load=" + status("VmRSS"));
            int context = gpt.config().nPositions;
            int[] prompt = new SplittableRandom(3).ints(Math.max(1, Math.min(16, context / 2)), 0,
                    gpt.config().vocabSize).toArray();
            tokens = Math.max(1, Math.min(tokens, context + 1 - prompt.length));
            long[] during = {0};
            gpt.generator().generate(new int[][] {prompt}, new GenerateOptions().maxNewTokens(tokens)
                    .topProbabilities(0).onToken((row, step) -> during[0] = Math.max(during[0], status("VmRSS"))));
            System.out.println("resident.generating=" + during[0]);
            System.out.println("resident.peak=" + status("VmHWM"));
        }
    }

    /** A /proc/self/status field in bytes (its kB × 1024), or −1 where there is none. */
    static long status(String field) {
        Path p = Path.of("/proc/self/status");
        if (!Files.isReadable(p)) {
            return -1;
        }
        try (Stream<String> lines = Files.lines(p)) {
            return lines.filter(l -> l.startsWith(field + ":")).findFirst()
                    .map(l -> Long.parseLong(l.substring(field.length() + 1).replace("kB", "").strip()) * 1024)
                    .orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }
}
