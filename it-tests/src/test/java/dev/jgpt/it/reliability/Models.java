package dev.jgpt.it.reliability;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/** Models and prompts shared by the reliability tests. */
final class Models {
    /** The nano sort shape. */
    static final GptConfig NANO = new GptConfig(3, 3, 48, 3, 11, 1e-5f, Gelu.TANH, false);
    /** GPT-2's layout (vocabulary 50257, context 1024, tied head) at a width that keeps the tests quick. */
    static final GptConfig GPT2_SHAPED = new GptConfig(2, 4, 64, 50257, 1024, 1e-5f, Gelu.TANH, true);

    private Models() {
    }

    /** Writes a random model whose matrices are scaled up so that logits are spread (no near-ties). */
    static Path write(GptConfig c, long seed, Path dir) throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(c, seed, true, 0.1f);
        for (Map.Entry<String, LlmVizJson.Entry> e : w.entrySet()) {
            if (e.getKey().endsWith(".weight") && !e.getKey().contains("ln_")) {
                float[] d = e.getValue().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] *= 5f;
                }
            }
        }
        ModelWriter.write(dir, c, w, "F32", "");
        return dir;
    }

    /** {@code n} random prompts of {@code length} ids below {@code vocab}. */
    static int[][] prompts(int n, int length, int vocab, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] p = new int[n][length];
        for (int[] row : p) {
            for (int i = 0; i < length; i++) {
                row[i] = rnd.nextInt(vocab);
            }
        }
        return p;
    }

    /** The backends this machine can run, test-only ones included. */
    static List<String> backends() {
        return dev.jgpt.api.Backends.discover().available().stream().map(p -> p.name())
                .collect(Collectors.toList());
    }
}
