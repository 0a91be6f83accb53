package dev.jgpt.it.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Backends;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.cli.Main;
import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.GenerateOptions;
import dev.jgpt.model.Generation;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.SortTask;
import dev.jgpt.model.io.ModelWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same answers on every backend: the embedded sort model, seeded sampling, and `gpt generate` on text. */
class CrossBackendGenerationIT {
    @TempDir
    static Path tmp;

    static List<String> backends() {
        return Backends.discover().available().stream().map(p -> p.name()).collect(Collectors.toList());
    }

    @Test
    void theEmbeddedModelSortsAll729InputsOnEveryBackend() {
        String[] inputs = new String[729];
        String[] want = new String[729];
        for (int n = 0; n < 729; n++) {
            char[] s = new char[6];
            for (int i = 0, v = n; i < 6; i++, v /= 3) {
                s[i] = (char) ('A' + v % 3);
            }
            inputs[n] = new String(s);
            Arrays.sort(s);
            want[n] = new String(s);
        }
        assertTrue(backends().containsAll(List.of("plain", "nd4j", "vector")), backends().toString());
        for (String name : backends()) {
            try (TensorBackend b = Backends.discover().require(name).create();
                 Gpt gpt = Gpt.load(DefaultModel.folder(), b)) {
                assertArrayEquals(want, new SortTask(gpt).sort(inputs), name);
            }
        }
    }

    @Test
    void seededSamplingDrawsTheSameTokensOnEveryBackend() throws Exception {
        GptConfig c = new GptConfig(2, 4, 64, 50257, 128, 1e-5f, Gelu.TANH, true);
        Path dir = tmp.resolve("gpt2-shaped");
        ModelWriter.write(dir, c, RandomWeights.generate(c, 5, true, 0.3f), "F32", "");
        int[][] prompts = {{15496, 11, 616, 1438, 318}, {464, 2068, 7586, 21831, 18045}};
        GenerateOptions options = new GenerateOptions().maxNewTokens(24).sampling(Sampling.random(0.9, 50, 0.95, 11));
        int[][] reference = null;
        for (String name : backends()) {
            try (TensorBackend b = Backends.discover().require(name).create(); Gpt gpt = Gpt.load(dir, b)) {
                Generation g = gpt.generator().generate(prompts, options);
                assertArrayEquals(g.tokens()[0], gpt.generator().generate(prompts, options).tokens()[0],
                        name + ": same seed, same output");
                if (reference == null) {
                    reference = g.tokens();
                } else {
                    for (int i = 0; i < prompts.length; i++) {
                        assertArrayEquals(reference[i], g.tokens()[i], name + " row " + i);
                    }
                }
            }
        }
    }

    @Test
    void generateOnTextGivesTheSameIdsOnEveryBackend() throws Exception {
        GptConfig c = new GptConfig(2, 4, 64, 50257, 64, 1e-5f, Gelu.TANH, true);
        Path dir = tmp.resolve("gpt2-text");
        ModelWriter.write(dir, c, RandomWeights.generate(c, 6, true, 0.3f), "F32", "");
        String reference = null;
        for (String name : backends()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new String[] {"generate", "--model", dir.toString(), "--backend", name, "--prompt",
                "Hello, my name is", "--max-new-tokens", "20", "--format", "ids"}, new PrintWriter(out),
                new PrintWriter(err));
            assertEquals(0, code, err.toString());
            if (reference == null) {
                reference = out.toString();
            } else {
                assertEquals(reference, out.toString(), name);
            }
            StringWriter text = new StringWriter();
            assertEquals(0, Main.run(new String[] {"generate", "--model", dir.toString(), "--backend", name,
                "--prompt", "Hello, my name is", "--max-new-tokens", "20", "--format", "text"}, new PrintWriter(text),
                new PrintWriter(new StringWriter())));
            assertTrue(text.toString().startsWith("Hello, my name is"), text.toString());
        }
    }
}
