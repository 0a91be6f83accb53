package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.api.DType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * JIT state: a batch-invariant backend's results must not depend on how far the JIT has compiled its kernels either,
 * or a seeded request would get other bits on a freshly started server than on a warm one (the Vector API's
 * {@code reduceLanes(ADD)}, say, sums in one order in its Java fallback and in another once compiled). The
 * {@link JitProbe} runs here after warm-up and in a fresh JVM under {@code -Xint} (interpreter only), and every
 * logit must have the same bits. Backends that do not claim batch invariance are skipped, with the reason printed.
 */
public abstract class JitConformance extends ConformanceBase {
    /** How long the probe runs in this JVM before its result counts as the compiled one. */
    static final long WARM_NANOS = 2_000_000_000L;
    /** The fresh JVM's time limit. */
    static final long CHILD_SECONDS = 300;

    @Test
    void interpretedAndCompiledKernelsGiveTheSameBits() throws Exception {
        if (!backend.batchInvariant()) {
            String reason = "'" + backendName() + "' does not claim batch invariance; its results may depend on the "
                    + "JIT as they may on the batch";
            System.err.println("SKIPPED JIT-state conformance: " + reason);
            assumeTrue(false, reason);
        }
        List<Path> folders = new ArrayList<>();
        for (RandomModels.Spec spec : JitProbe.specs()) {
            folders.add(RandomModels.write(spec, tempDir("jit-" + spec.label())));
        }
        // the wide model also as GGUF in each compact dtype its backend computes on (its 320-input MLP projection is
        // block-quantized; the 80-wide matrices fall back to F16), so the compact kernels are probed too
        Path wide = folders.get(folders.size() - 1);
        for (DType type : new DType[] {DType.F16, DType.Q8_0, DType.Q4_0}) {
            if (backend.weightTypes().contains(type)) {
                folders.add(RandomModels.writeGguf(wide, type, tempDir("jit-gguf")));
            }
        }
        int[] first;
        int[] warm;
        int runs = 0;
        try (JitProbe probe = new JitProbe(backend, folders)) {
            first = probe.run();
            long t0 = System.nanoTime();
            do {
                warm = probe.run();
                runs++;
            } while (System.nanoTime() - t0 < WARM_NANOS);
        }
        compare("the first run in this JVM", first, "the last of " + runs + " runs (compiled)", warm);
        long t0 = System.nanoTime();
        int[] interpreted = interpreted(folders);
        System.err.printf("[%s] JIT state: %d models (%d of them compact GGUF), %d logits, same bits in a fresh JVM "
                + "under -Xint (%.1f s) as compiled after %d runs%n", backendName(), folders.size(),
                folders.size() - JitProbe.specs().size(), warm.length, (System.nanoTime() - t0) / 1e9, runs);
        compare("a fresh JVM under -Xint (interpreter only)", interpreted, "this JVM after warm-up (compiled)",
                warm);
    }

    private void compare(String what, int[] a, String against, int[] b) {
        assertTrue(a.length == b.length, what + " gave " + a.length + " logits, " + against + " " + b.length);
        int differ = 0;
        int firstAt = -1;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                differ++;
                firstAt = firstAt < 0 ? i : firstAt;
            }
        }
        if (differ > 0) {
            fail(differ + " of " + a.length + " logits of '" + backendName() + "' differ between " + what + " and "
                    + against + ", the first at index " + firstAt + ": " + Float.intBitsToFloat(a[firstAt])
                    + " vs " + Float.intBitsToFloat(b[firstAt]) + "; some kernel's arithmetic depends on whether it "
                    + "is compiled, so a seeded request would differ between a cold and a warm JVM");
        }
    }

    /** The probe's bits from a fresh JVM with this one's module flags and class path, under -Xint. */
    private int[] interpreted(List<Path> folders) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xint");
        cmd.addAll(moduleFlags(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(JitProbe.class.getName());
        cmd.add(backendName());
        folders.forEach(f -> cmd.add(f.toString()));
        Path out = tempDir("jit-out").resolve("bits.txt");
        Path err = out.resolveSibling("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(CHILD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the -Xint JVM did not finish within " + CHILD_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            fail("the -Xint JVM failed (exit " + p.exitValue() + "): "
                    + Files.readString(err, StandardCharsets.UTF_8).strip());
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.US_ASCII);
        int[] bits = new int[lines.size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Integer.parseUnsignedInt(lines.get(i), 16);
        }
        return bits;
    }

    /** The module and access flags of this JVM (what a backend needs to run), in the form given. */
    static List<String> moduleFlags(List<String> args) {
        List<String> keep = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean flag = a.startsWith("--add-modules") || a.startsWith("--add-opens") || a.startsWith("--add-exports")
                    || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-unsafe-memory-access")
                    || a.startsWith("-Djgpt.");
            if (flag) {
                keep.add(a);
                if (!a.contains("=") && !a.startsWith("-D") && i + 1 < args.size()) {
                    keep.add(args.get(++i)); // the two-word form: --add-modules jdk.incubator.vector
                }
            }
        }
        return keep;
    }
}
