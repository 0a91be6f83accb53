package dev.jgpt.conformance;

import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.GgufExport;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random GPT-2-layout models the sequence level generates for itself (no download, no ../shared): different shapes,
 * widths that are not a multiple of 8, tied and untied heads, both GELU forms, with and without the
 * {@code transformer.} prefix.
 */
public final class RandomModels {
    /**
     * Random biases and layer-norm deviations (standard deviation 0.1) so that every tensor of the model matters.
     */
    static final float BIAS_SCALE = 0.1f;
    /**
     * Matrices are scaled by this (GPT-2's init std 0.02 becomes 0.08) so that attention is not uniform and logits
     * are spread: a model whose every step is a near-tie would test nothing.
     */
    static final float WEIGHT_GAIN = 4f;
    /** Prompts per model. */
    public static final int PROMPTS = 20;

    private RandomModels() {
    }

    /** One random model: label, config, seed, and the tensor-name prefix it is written with. */
    public record Spec(String label, GptConfig config, long seed, String prefix) {
        @Override
        public String toString() {
            GptConfig c = config;
            return label + " (L" + c.nLayer + " H" + c.nHead + " C" + c.nEmbd + " V" + c.vocabSize + " P"
                    + c.nPositions + " gelu " + c.gelu + (c.tieWordEmbeddings ? " tied" : " untied") + ", seed "
                    + seed + ")";
        }
    }

    /** The kit's models; {@code seedOffset} gives a different but equally shaped set (the cross-backend test). */
    public static List<Spec> standard(long seedOffset) {
        List<Spec> s = new ArrayList<>();
        s.add(new Spec("tied-tanh", new GptConfig(2, 4, 64, 96, 64, 1e-5f, Gelu.TANH, true), 11 + seedOffset, ""));
        s.add(new Spec("untied-erf", new GptConfig(3, 3, 36, 50, 48, 1e-5f, Gelu.ERF, false), 22 + seedOffset,
                "transformer."));
        s.add(new Spec("odd-widths", new GptConfig(1, 5, 35, 13, 24, 1e-6f, Gelu.TANH, false), 33 + seedOffset,
                ""));
        s.add(new Spec("erf-tied-wide", new GptConfig(2, 2, 80, 211, 96, 1e-5f, Gelu.ERF, true), 44 + seedOffset,
                "transformer."));
        return s;
    }

    /**
     * Models whose every matmul has a multiple of 32 inputs (C 64 and 96, MLP projections 256 and 384, token
     * embeddings and the untied head C wide), so that a Q8_0 or Q4_0 export quantizes every 2-D weight and none falls
     * back to F16: tied-tanh of {@link #standard} and an untied erf model of width 96 (heads of 32).
     */
    public static List<Spec> blockAligned() {
        return List.of(standard(0).get(0), new Spec("untied-erf-96",
                new GptConfig(2, 3, 96, 160, 48, 1e-5f, Gelu.ERF, false), 55, "transformer."));
    }

    /**
     * Writes the model folder {@code f32} (as {@link #write} made it) as one GGUF file of {@code type} into
     * {@code dir} ({@link GgufExport}'s rules: norms, biases and position embeddings stay F32, a 2-D weight whose
     * width is not a multiple of 32 falls back to F16), and returns the file.
     */
    public static Path writeGguf(Path f32, DType type, Path dir) throws IOException {
        Path file = dir.resolve(type.name().toLowerCase(Locale.ROOT) + ".gguf");
        try (Checkpoint c = Checkpoint.open(f32)) {
            GgufExport.write(c, type, null, file);
        }
        return file;
    }

    /** Writes the model folder (config.json + model.safetensors, F32) and returns it. */
    public static Path write(Spec spec, Path dir) throws IOException {
        Map<String, LlmVizJson.Entry> tensors = RandomWeights.generate(spec.config(), spec.seed(), true, BIAS_SCALE);
        for (Map.Entry<String, LlmVizJson.Entry> e : tensors.entrySet()) {
            String name = e.getKey();
            boolean norm = name.contains("ln_");
            if (name.endsWith(".weight") && !norm) {
                float[] d = e.getValue().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] *= WEIGHT_GAIN;
                }
            }
        }
        ModelWriter.write(dir, spec.config(), tensors, "F32", spec.prefix());
        return dir;
    }

    /**
     * {@link #PROMPTS} prompts of random tokens, with lengths 1 (T = 1), the full context (T = P, one new token), and
     * lengths in between; several share a length so that they run as one batch.
     */
    public static List<int[]> prompts(Spec spec) {
        int p = spec.config().nPositions;
        int[] lengths = {1, 1, 1, 2, 3, 3, 5, 5, 8, 8, p / 4, p / 4, p / 2, p / 2, p / 2, p - 2, p - 1, p, p, p};
        SplittableRandom rnd = new SplittableRandom(spec.seed() * 31 + 7);
        List<int[]> prompts = new ArrayList<>();
        for (int len : lengths) {
            int[] ids = new int[len];
            for (int i = 0; i < len; i++) {
                ids[i] = rnd.nextInt(spec.config().vocabSize);
            }
            prompts.add(ids);
        }
        return prompts;
    }

    /** New tokens for a prompt: enough to fill the context (T + N − 1 = P positions run). */
    public static int newTokens(GptConfig c, int promptLength) {
        return c.nPositions - promptLength + 1;
    }
}
