package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.ModelWriter;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generation loop: KV cache against full recompute, batches against single runs, and input checks. */
class GeneratorTest {
    /** float32 rounding differs between a cached step and a recompute only in summation order. */
    static final float TOL = 1e-5f;
    static final GptConfig CONFIG = new GptConfig(3, 4, 16, 23, 20, 1e-5f, Gelu.ERF, true);

    @TempDir
    Path tmp;
    final TensorBackend backend = TestSupport.plain();
    Gpt gpt;

    @BeforeEach
    void load() throws Exception {
        ModelWriter.write(tmp, CONFIG, RandomWeights.generate(CONFIG, 42, true, 0.2f), "F32", "");
        gpt = Gpt.load(tmp, backend);
    }

    @AfterEach
    void close() {
        gpt.close();
    }

    /** Greedy by recomputing the whole sequence every step, no cache: the obviously correct loop. */
    int[] recompute(int[] prompt, int steps, float[][] logitsOut) {
        int[] seq = Arrays.copyOf(prompt, prompt.length + steps);
        for (int s = 0; s < steps; s++) {
            int t = prompt.length + s;
            float[] all = backend.toArray(gpt.forwardAll(Arrays.copyOf(seq, t), 1, t, Trace.OFF));
            logitsOut[s] = Arrays.copyOfRange(all, (t - 1) * CONFIG.vocabSize, t * CONFIG.vocabSize);
            seq[t] = Sampler.argmax(logitsOut[s]);
        }
        return seq;
    }

    @Test
    void kvCacheGivesTheTokensAndLogitsOfFullRecompute() {
        int[] prompt = {5, 17, 2, 9};
        int steps = CONFIG.nPositions - prompt.length + 1;
        float[][] want = new float[steps][];
        int[] expected = recompute(prompt, steps, want);
        // the cached loop, step by step, so its logits can be compared too
        int[] seq = Arrays.copyOf(prompt, prompt.length + steps);
        int[] feed = prompt;
        int[] blocks = {0, 1, 2};
        try (KvCache cache = backend.newKvCache(gpt.cacheSpec(8, 3))) {
            int offset = 0;
            for (int s = 0; s < steps; s++) {
                Tensor logits = gpt.forward(feed, AttentionBatch.single(offset, feed.length, blocks, 8), cache,
                        new int[] {feed.length - 1}, Trace.OFF);
                assertArrayEquals(new int[] {1, CONFIG.vocabSize}, logits.shape());
                float[] got = backend.toArray(logits);
                assertArrayEquals(want[s], got, TOL, "logits of step " + s);
                seq[prompt.length + s] = Sampler.argmax(got);
                offset += feed.length;
                feed = new int[] {seq[prompt.length + s]};
            }
        }
        assertArrayEquals(expected, seq);
        assertArrayEquals(expected, gpt.generator().generate(prompt, steps));
    }

    @Test
    void aBatchEqualsItsRowsRunAlone() {
        int[][] prompts = {{1, 2, 3}, {22, 0, 7}, {4, 4, 4}, {9, 8, 7}};
        int[][] batched = gpt.generator().generate(prompts, 8);
        for (int i = 0; i < prompts.length; i++) {
            assertArrayEquals(gpt.generator().generate(prompts[i], 8), batched[i], "row " + i);
        }
    }

    @Test
    void seededSamplingIsReproducibleAndABatchEqualsItsRowsAlone() {
        int[][] prompts = {{1, 2, 3}, {22, 0, 7}, {4, 4, 4}};
        GenerateOptions options = new GenerateOptions().maxNewTokens(12).sampling(Sampling.random(1.5, 10, 0.95, 7));
        Generation batched = gpt.generator().generate(prompts, options);
        Generation again = gpt.generator().generate(prompts, options);
        for (int i = 0; i < prompts.length; i++) {
            assertArrayEquals(batched.tokens()[i], again.tokens()[i], "same seed, same output");
            assertArrayEquals(gpt.generator().generate(new int[][] {prompts[i]}, options).tokens()[0],
                    batched.tokens()[i], "row " + i);
            assertEquals(12, batched.steps().get(i).size());
        }
        Generation otherSeed = gpt.generator().generate(prompts,
                new GenerateOptions().maxNewTokens(12).sampling(Sampling.random(1.5, 10, 0.95, 8)));
        assertTrue(!Arrays.deepEquals(batched.tokens(), otherSeed.tokens()), "another seed draws other tokens");
        Step first = batched.steps().get(0).get(0);
        assertEquals(5, first.topIds().length);
        assertTrue(first.topProbabilities()[0] >= first.topProbabilities()[4]);
    }

    @Test
    void badInputIsRefusedWithAReason() {
        Generator g = gpt.generator();
        assertTrue(assertThrows(InvalidInputException.class, () -> g.generate(new int[0], 1)).getMessage()
                .contains("empty"));
        assertTrue(assertThrows(InvalidInputException.class, () -> g.generate(new int[] {23}, 1)).getMessage()
                .contains("23"));
        assertTrue(assertThrows(InvalidInputException.class, () -> g.generate(new int[] {1}, -1)).getMessage()
                .contains("-1"));
        InvalidInputException tooLong = assertThrows(InvalidInputException.class, () -> g.generate(new int[5], 17));
        assertTrue(tooLong.getMessage().contains("at most 16"), tooLong.getMessage());
        assertEquals(20, g.generate(new int[5], 16).length - 1); // exactly fills the context: 5 + 16 - 1 = 20
    }

    @Test
    void promptsOfDifferentLengthsRunInOneBatchEachAsAlone() {
        int[][] prompts = {{1, 2, 3}, {7}, {4, 4, 4, 4, 4, 4, 4}, {9, 8}};
        int[][] batched = gpt.generator().generate(prompts, 6);
        for (int i = 0; i < prompts.length; i++) {
            assertArrayEquals(gpt.generator().generate(prompts[i], 6), batched[i], "row " + i);
        }
    }
}
