package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.BlockPool;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.model.Engine;
import dev.jgpt.model.EngineOptions;
import dev.jgpt.model.FinishReason;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Request;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Sequence;
import dev.jgpt.model.Step;
import dev.jgpt.model.Trace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batch level: ragged token batches, sequences joining and leaving, chunked prefill and the paged KV cache, on a
 * random GPT-2-layout model (context 64). A sequence's logits in a mixed batch must equal the same sequence run
 * alone — bit for bit where the backend claims {@link dev.jgpt.api.TensorBackend#batchInvariant()}, else within
 * {@link #LOGIT_TOLERANCE} (and the mismatch rate is printed) — and its sampled tokens must be identical.
 */
public abstract class BatchConformance extends ConformanceBase {
    /** Logits of a non-invariant backend may move by float32 rounding of sums over 64–256 terms. */
    static final double LOGIT_TOLERANCE = 1e-3;
    private Gpt gpt;

    @BeforeAll
    protected final void loadModel() throws IOException {
        RandomModels.Spec spec = RandomModels.standard(5).get(0);
        Path dir = RandomModels.write(spec, tempDir("batch-model"));
        gpt = Gpt.load(dir, backend);
    }

    @AfterAll
    protected final void closeModel() {
        if (gpt != null) {
            gpt.close();
        }
    }

    /** Random prompts of lengths 1–40 (seeded). */
    private List<int[]> prompts(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] p = new int[1 + rnd.nextInt(40)];
            for (int j = 0; j < p.length; j++) {
                p[j] = rnd.nextInt(gpt.config().vocabSize);
            }
            out.add(p);
        }
        return out;
    }

    /** Logits of every position of each prompt run alone. */
    private float[] alone(int[] prompt) {
        Tensor t = gpt.forwardAll(prompt, 1, prompt.length, Trace.OFF);
        float[] host = backend.toArray(t);
        backend.release(t);
        return host;
    }

    @Test
    void raggedBatchLogitsEqualEachSequenceAlone() {
        List<int[]> prompts = prompts(9, 17);
        int bs = 16;
        int total = prompts.stream().mapToInt(p -> p.length).sum();
        BlockPool pool = new BlockPool(gpt.cacheSpec(bs, 64));
        // interleave the sequences' tokens: round robin over positions, so rows of one sequence are not adjacent
        int[] ids = new int[total];
        int[] seq = new int[total];
        int[] pos = new int[total];
        int[][] tables = new int[prompts.size()][];
        int[][] rowOf = new int[prompts.size()][];
        for (int s = 0; s < prompts.size(); s++) {
            tables[s] = pool.take(pool.blocksFor(prompts.get(s).length));
            rowOf[s] = new int[prompts.get(s).length];
        }
        int n = 0;
        for (int t = 0; n < total; t++) {
            for (int s = 0; s < prompts.size(); s++) {
                if (t < prompts.get(s).length) {
                    ids[n] = prompts.get(s)[t];
                    seq[n] = s;
                    pos[n] = t;
                    rowOf[s][t] = n++;
                }
            }
        }
        int[] rows = new int[total];
        for (int i = 0; i < total; i++) {
            rows[i] = i;
        }
        float[] batched;
        try (KvCache cache = backend.newKvCache(gpt.cacheSpec(bs, 64))) {
            Tensor t = gpt.forward(ids, new AttentionBatch(seq, pos, tables, bs), cache, rows, Trace.OFF);
            batched = backend.toArray(t);
            backend.release(t);
        }
        int v = gpt.config().vocabSize;
        int mismatched = 0;
        double worst = 0;
        for (int s = 0; s < prompts.size(); s++) {
            float[] want = alone(prompts.get(s));
            for (int p = 0; p < prompts.get(s).length; p++) {
                float[] got = Arrays.copyOfRange(batched, rowOf[s][p] * v, (rowOf[s][p] + 1) * v);
                float[] exp = Arrays.copyOfRange(want, p * v, (p + 1) * v);
                if (!Arrays.equals(got, exp)) {
                    mismatched++;
                }
                for (int i = 0; i < v; i++) {
                    worst = Math.max(worst, Math.abs((double) got[i] - exp[i]));
                }
            }
        }
        System.out.printf("[%s] ragged batch of %d sequences (%d tokens): %d of %d positions not bit-identical to "
                + "alone, max |diff| %.3g (batch-invariant claimed: %s)%n", backendName(), prompts.size(), total,
                mismatched, total, worst, backend.batchInvariant());
        if (backend.batchInvariant()) {
            assertEquals(0, mismatched, "a batch-invariant backend must give every sequence the same bits alone "
                    + "and in a batch (max |diff| " + worst + ")");
        } else {
            assertTrue(worst <= LOGIT_TOLERANCE, "logits in a batch moved by " + worst + " > " + LOGIT_TOLERANCE);
        }
    }

    /** Runs every request through one engine, submitting request i at step {@code joinAt[i]}. */
    private List<Sequence> run(EngineOptions options, List<Request> requests, int[] joinAt) {
        List<Sequence> out = new ArrayList<>();
        try (Engine engine = gpt.engine(options)) {
            int next = 0;
            for (int step = 0; next < requests.size() || !engine.idle(); step++) {
                while (next < requests.size() && joinAt[next] <= step) {
                    out.add(engine.submit(requests.get(next++)));
                }
                engine.step();
                assertTrue(engine.blocksInUse() <= engine.blocksTotal(), "blocks in use within the pool");
                if (step > 10_000) {
                    fail("the engine did not finish");
                }
            }
            assertEquals(0, engine.blocksInUse(), "every block comes back when every sequence has ended");
        }
        return out;
    }

    private List<Request> requests(long seed) {
        List<Request> out = new ArrayList<>();
        int i = 0;
        for (int[] p : prompts(8, seed)) {
            int max = Math.min(12, gpt.config().nPositions + 1 - p.length);
            Request r = Request.greedy(p, max).withTopProbabilities(5);
            out.add(i % 2 == 0 ? r : r.withSampling(Sampling.random(0.9, 20, 0.95, seed + i)));
            i++;
        }
        return out;
    }

    /** Compares tokens (must be identical) and step probabilities (bit-identical when batch-invariant). */
    private void assertSameAsAlone(List<Request> requests, List<Sequence> got, String what) {
        for (int i = 0; i < requests.size(); i++) {
            Sequence want = run(EngineOptions.defaults().withMaxSequences(1), List.of(requests.get(i)),
                    new int[1]).get(0);
            assertEquals(Arrays.toString(want.tokens()), Arrays.toString(got.get(i).tokens()),
                    what + ": sequence " + i + "'s tokens differ from the same request alone");
            assertEquals(want.finishReason(), got.get(i).finishReason(), what + ": finish reason of " + i);
            if (backend.batchInvariant()) {
                for (int s = 0; s < want.steps().size(); s++) {
                    Step a = want.steps().get(s);
                    Step b = got.get(i).steps().get(s);
                    assertTrue(Arrays.equals(a.topProbabilities(), b.topProbabilities()), what + ": sequence " + i
                            + " step " + s + " probabilities differ from alone (batch invariance)");
                }
            }
        }
    }

    @Test
    void sequencesJoiningAndLeavingBetweenStepsGiveTheirAloneResults() {
        List<Request> requests = requests(23);
        int[] joinAt = {0, 0, 1, 3, 3, 4, 9, 15};
        List<Sequence> got = run(EngineOptions.defaults().withMaxSequences(3), requests, joinAt);
        assertSameAsAlone(requests, got, "join/leave");
    }

    @Test
    void chunkedPrefillEqualsOneShotPrefill() {
        List<Request> requests = requests(29);
        List<Sequence> got = run(new EngineOptions(2, 7, 16, 0), requests, new int[requests.size()]);
        assertSameAsAlone(requests, got, "prefill in chunks of at most 7 tokens");
    }

    @Test
    void smallBlocksAndATightPoolOnlyDelaySequences() {
        List<Request> requests = requests(31);
        // block size 3 and room for about two sequences: the rest wait; every boundary is crossed
        List<Sequence> got = run(new EngineOptions(8, 64, 3, 36), requests, new int[requests.size()]);
        assertSameAsAlone(requests, got, "block size 3, 36 blocks");
        for (Sequence s : got) {
            assertTrue(s.finishReason() == FinishReason.LENGTH, "finished by length: " + s);
        }
    }

    /**
     * Scoring the prompt (OpenAI's echo with logprobs): prompt token i's probability is the softmax of the logits at
     * position i − 1 of the prompt run alone ({@link Gpt#forwardAll}), bit for bit on a batch-invariant backend,
     * with prompts prefilled in chunks beside sequences that do not score; a request for no new tokens only scores.
     */
    @Test
    void promptStepsScoreEachPromptTokenFromTheTokensBeforeIt() {
        List<Request> requests = new ArrayList<>();
        List<int[]> prompts = prompts(6, 41);
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            int max = i == 1 ? 0 : Math.min(4, gpt.config().nPositions + 1 - p.length);
            Request r = Request.greedy(p, max).withTopProbabilities(3);
            requests.add(i % 3 == 2 ? r : r.withPromptSteps(true));
        }
        List<Sequence> got = run(new EngineOptions(4, 9, 16, 0), requests, new int[requests.size()]);
        int v = gpt.config().vocabSize;
        double worst = 0;
        for (int i = 0; i < requests.size(); i++) {
            int[] p = prompts.get(i);
            List<Step> steps = got.get(i).promptSteps();
            if (!requests.get(i).promptSteps()) {
                assertEquals(0, steps.size(), "sequence " + i + " did not ask to score its prompt");
                continue;
            }
            assertEquals(p.length - 1, steps.size(), "sequence " + i + ": one step per prompt token after the first");
            float[] all = alone(p);
            for (int t = 1; t < p.length; t++) {
                double[] want = Sampling.greedy().probabilities(Arrays.copyOfRange(all, (t - 1) * v, t * v));
                Step step = steps.get(t - 1);
                assertEquals(p[t], step.token(), "sequence " + i + " prompt step " + t + " scores prompt token " + t);
                worst = Math.max(worst, Math.abs(want[p[t]] - step.probability()));
                if (backend.batchInvariant()) {
                    assertEquals(want[p[t]], step.probability(), "sequence " + i + " prompt token " + t
                            + ": its probability must be bit-identical to the prompt run alone");
                } else {
                    assertEquals(want[p[t]], step.probability(), LOGIT_TOLERANCE, "sequence " + i + " token " + t);
                }
            }
        }
        assertEquals(FinishReason.LENGTH, got.get(1).finishReason(), "no new tokens asked: ends after scoring");
        assertEquals(0, got.get(1).generated().length, "no new tokens asked: none generated");
        System.out.printf("[%s] prompt scoring: max |probability - alone| %.3g%n", backendName(), worst);
    }

    @Test
    void cancelledSequencesGiveTheirBlocksBack() {
        try (Engine engine = gpt.engine(EngineOptions.defaults().withMaxSequences(4))) {
            List<Sequence> seqs = new ArrayList<>();
            for (Request r : requests(37)) {
                seqs.add(engine.submit(r));
            }
            engine.step();
            engine.step();
            int before = engine.blocksInUse();
            assertTrue(before > 0, "running sequences hold blocks");
            for (Sequence s : seqs) {
                engine.cancel(s);
            }
            assertEquals(0, engine.blocksInUse(), "cancelling frees every block at once");
            assertTrue(engine.idle(), "nothing waits or runs after cancelling everything");
            for (Sequence s : seqs) {
                assertTrue(s.finished(), "cancelled or finished: " + s);
            }
        }
    }
}
