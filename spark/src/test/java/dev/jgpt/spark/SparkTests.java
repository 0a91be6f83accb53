package dev.jgpt.spark;

import dev.jgpt.cli.ModelOptions;
import dev.jgpt.model.GenerateOptions;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.PromptFit;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.GptPreset;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.spark.sql.SparkSession;

/** What the spark module's tests share: a local Spark that retries tasks, prompts, and generation alone. */
final class SparkTests {
    private SparkTests() {
    }

    /** Two cores and three attempts per task (local mode retries none unless told). */
    static SparkSession session() {
        return LocalSpark.session("local[2,3]"); // gpt batch's own local session
    }

    /** A prompt of 1 to {@code maxLength} letters A, B, C. */
    static String letters(Random r, int maxLength) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(maxLength);
        for (int i = 0; i < n; i++) {
            b.append((char) ('A' + r.nextInt(3)));
        }
        return b.toString();
    }

    /** The model in {@code dir} (null: the embedded sort model) on {@code backend}, apart from the executors' copy. */
    static Gpt model(Path dir, String backend) {
        return ModelOptions.load(dir, backend);
    }

    /**
     * A nano-sort-shaped model with random weights (seed 7), written once into {@code dir}: unlike the trained one,
     * unsure of every token, so sampling seeds and any numeric difference between a batch and a lone run show.
     */
    static synchronized Path randomModel(Path dir) throws IOException {
        Path m = dir.resolve("random-nano");
        if (!Files.exists(m.resolve("config.json"))) {
            GptConfig c = GptPreset.NANO_SORT.config();
            ModelWriter.write(m, c, RandomWeights.generate(c, 7, true, 0.02f), "F32", "");
        }
        return m;
    }

    /**
     * What {@code gpt generate} gives for one prompt alone: its default token count for this prompt, sampled with
     * {@code temperature} and {@code seed} (greedy when the temperature is null); the generated ids only.
     */
    static int[] alone(Gpt gpt, int[] prompt, Double temperature, long seed) {
        int n = PromptFit.newTokens(prompt.length, 16, gpt.config());
        Sampling s = temperature == null ? Sampling.greedy() : Sampling.random(temperature, 0, 1.0, seed);
        int[] all = gpt.generator().generate(new int[][] {prompt}, new GenerateOptions().maxNewTokens(n).sampling(s))
                .tokens()[0];
        return java.util.Arrays.copyOfRange(all, prompt.length, all.length);
    }
}
