package dev.jgpt.conformance;

import dev.jgpt.api.Backends;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Trace;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The probe {@link JitConformance} runs twice — in the test's JVM after warm-up, where the kernels are compiled, and
 * in a fresh JVM under {@code -Xint}, where every line runs in the interpreter (and the Vector API in its Java
 * fallback) — to compare their bits: the logits of every position of three fixed prompts (lengths 1, 7 and 20)
 * through two small random models, one whose every weight has at most 256 inputs (C 64) and one with wider ones
 * (C 80, an MLP projection of 320 inputs), so that both kinds of matmul kernel a backend may have are run.
 */
public final class JitProbe implements AutoCloseable {
    /** Prompt lengths run through each model. */
    static final int[] LENGTHS = {1, 7, 20};
    private final List<Gpt> models = new ArrayList<>();
    private final TensorBackend backend;

    /** The kit's two probe models, tied-tanh (C 64) and erf-tied-wide (C 80). */
    static List<RandomModels.Spec> specs() {
        List<RandomModels.Spec> all = RandomModels.standard(0);
        return List.of(all.get(0), all.get(3));
    }

    JitProbe(TensorBackend backend, List<Path> folders) {
        this.backend = backend;
        for (Path f : folders) {
            models.add(Gpt.load(f, backend));
        }
    }

    /** The bits of every logit, model by model, prompt by prompt, position by position. */
    int[] run() {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (Gpt gpt : models) {
            SplittableRandom r = new SplittableRandom(99);
            for (int len : LENGTHS) {
                int[] ids = r.ints(len, 0, gpt.config().vocabSize).toArray();
                Tensor t = gpt.forwardAll(ids, 1, len, Trace.OFF);
                float[] logits = backend.toArray(t);
                backend.release(t);
                parts.add(logits);
                total += logits.length;
            }
        }
        int[] bits = new int[total];
        int at = 0;
        for (float[] p : parts) {
            for (float f : p) {
                bits[at++] = Float.floatToRawIntBits(f);
            }
        }
        return bits;
    }

    @Override
    public void close() {
        models.forEach(Gpt::close);
    }

    /**
     * The fresh JVM's side: {@code JitProbe BACKEND FOLDER…} prints the probe's bits, one hexadecimal int per line.
     */
    public static void main(String[] args) throws Exception {
        List<Path> folders = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            folders.add(Path.of(args[i]));
        }
        TensorBackend backend = Backends.discover().require(args[0]).create();
        int[] bits;
        try (JitProbe probe = new JitProbe(backend, folders)) {
            bits = probe.run();
        } finally {
            backend.close();
        }
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        for (int b : bits) {
            out.write(Integer.toHexString(b));
            out.write('\n');
        }
        out.flush();
    }
}
