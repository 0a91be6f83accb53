package dev.jgpt.train;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.TokenizerChoice;
import dev.jgpt.model.io.LlmVizJson;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Trains the nano sort model with minGPT's demo recipe: n_layer 3, n_head 3, n_embd 48, context 11, vocabulary 3,
 * untied LM head without bias; GPT-2 init (normal 0.02, residual projections 0.02/√(2·n_layer), biases 0, layer norms
 * 1 and 0); AdamW lr 5e-4, betas (0.9, 0.95), eps 1e-8, weight decay 0.1 on linear weights only; gradient norm
 * clipped to 1; batches of 64 drawn from the train split. (minGPT also uses dropout 0.1; this trainer has none.)
 *
 * <p>Deterministic: the same seed and batch give bit-identical weights. A batch is cut into fixed shards of
 * {@link #SHARD} sequences that run in parallel, each into its own gradient buffers; the shards' gradients are then
 * summed in shard order, so neither the thread count nor scheduling changes a single bit. (Java's float arithmetic
 * is exact IEEE and never fused; the one platform-dependent piece is {@link Math#exp} in the softmaxes, an intrinsic
 * that another CPU architecture may round differently in the last place.)
 *
 * <pre>{@code
 * Map<String, LlmVizJson.Entry> w = SortTrainer.train(SortTrainer.DEFAULT_SEED, SortTrainer.DEFAULT_ITERS, 64, TrainProgress.NONE);
 * ModelWriter.write(dir, SortTrainer.config(), w, "F32", "");
 * }</pre>
 */
public final class SortTrainer {
    /** Steps minGPT's demo runs. */
    public static final int DEFAULT_ITERS = 2000;
    public static final int DEFAULT_BATCH = 64;
    public static final long DEFAULT_SEED = 2;
    /** Sequences per shard: the unit of parallel work, fixed so results do not depend on the core count. */
    static final int SHARD = 8;
    static final float LR = 5e-4f, BETA1 = 0.9f, BETA2 = 0.95f, EPS = 1e-8f, WEIGHT_DECAY = 0.1f, CLIP = 1f;

    private final int batch;
    private final TrainableGpt model;
    private final ParameterTensors params;
    private final ParameterTensors grads;
    private final AdamW optimizer;
    private final SplittableRandom data;
    private final Shard[] shards;

    /** One shard's buffers: its sequences, activations, activation gradients and parameter gradients. */
    private static final class Shard {
        final int size;
        final int[] ids;
        final int[] targets;
        final Activations acts;
        final Activations actGrads;
        final ParameterTensors grads;
        double lossSum;

        Shard(GptConfig cfg, int size) {
            this.size = size;
            ids = new int[size * SortData.CONTEXT];
            targets = new int[size * SortData.CONTEXT];
            acts = new Activations(cfg, size, SortData.CONTEXT);
            actGrads = new Activations(cfg, size, SortData.CONTEXT);
            grads = new ParameterTensors(cfg);
        }
    }

    /** A model initialised from {@code seed}, ready to {@link #step}. */
    public SortTrainer(long seed, int batch) {
        if (batch < 1) {
            throw new InvalidInputException("batch must be at least 1, got " + batch);
        }
        GptConfig cfg = config();
        this.batch = batch;
        this.model = new TrainableGpt(cfg);
        this.params = ParameterTensors.of(cfg, RandomWeights.generate(cfg, seed, true, 0f));
        this.grads = new ParameterTensors(cfg);
        this.optimizer = new AdamW(params, LR, BETA1, BETA2, EPS, WEIGHT_DECAY);
        this.data = new SplittableRandom(seed ^ 0x5DEECE66DL).split(); // a stream apart from the init's
        this.shards = new Shard[(batch + SHARD - 1) / SHARD];
        for (int s = 0; s < shards.length; s++) {
            shards[s] = new Shard(cfg, Math.min(SHARD, batch - s * SHARD));
        }
    }

    /** The sort model's configuration (minGPT's gpt-nano on the sort task). */
    public static GptConfig config() {
        return new GptConfig(3, 3, 48, SortData.DIGITS, SortData.CONTEXT, 1e-5f, Gelu.TANH, false,
                TokenizerChoice.SORT_CLASS);
    }

    /** Trains a fresh model for {@code iters} steps and returns its weights (names without prefix, lm_head too). */
    public static Map<String, LlmVizJson.Entry> train(long seed, int iters, int batch, TrainProgress progress) {
        if (iters < 1) {
            throw new InvalidInputException("iters must be at least 1, got " + iters);
        }
        SortTrainer t = new SortTrainer(seed, batch);
        long start = System.nanoTime();
        for (int i = 1; i <= iters; i++) {
            double loss = t.step();
            progress.onStep(i, iters, loss, System.nanoTime() - start);
        }
        return t.weights();
    }

    /** One optimisation step on a fresh batch from the train split; returns the batch's mean loss before the step. */
    public double step() {
        for (Shard s : shards) {
            for (int i = 0; i < s.size; i++) {
                int[] digits = SortData.draw(data, false);
                System.arraycopy(SortData.input(digits), 0, s.ids, i * SortData.CONTEXT, SortData.CONTEXT);
                System.arraycopy(SortData.target(digits), 0, s.targets, i * SortData.CONTEXT, SortData.CONTEXT);
            }
        }
        int counted = 0;
        for (Shard s : shards) {
            counted += CrossEntropy.counted(s.targets, s.size * SortData.CONTEXT);
        }
        float dloss = 1f / counted;
        TransposedWeights wT = new TransposedWeights(params);
        IntStream.range(0, shards.length).parallel().forEach(k -> {
            Shard s = shards[k];
            s.grads.zero();
            s.lossSum = model.forward(params, s.acts, s.ids, s.targets, s.size, SortData.CONTEXT);
            model.backward(params, wT, s.acts, s.actGrads, s.grads, s.ids, s.targets, s.size, SortData.CONTEXT,
                    dloss);
        });
        IntStream.range(0, grads.count()).parallel().forEach(i -> {
            for (int r = 0; r < grads.data[i].length; r++) {
                float[] g = grads.data[i][r];
                System.arraycopy(shards[0].grads.data[i][r], 0, g, 0, g.length);
                for (int k = 1; k < shards.length; k++) {
                    float[] add = shards[k].grads.data[i][r];
                    for (int j = 0; j < g.length; j++) {
                        g[j] += add[j];
                    }
                }
            }
        });
        clipGradNorm(grads, CLIP);
        optimizer.step(params, grads);
        double lossSum = 0;
        for (Shard s : shards) {
            lossSum += s.lossSum;
        }
        return lossSum / counted;
    }

    /**
     * Scales the gradients so that their global L2 norm is at most {@code max}, as
     * {@code torch.nn.utils.clip_grad_norm_}: {@code g ← g · min(1, max / (‖g‖ + 1e-6))}.
     *
     * @return the norm before clipping
     */
    static double clipGradNorm(ParameterTensors grads, float max) {
        double sq = 0;
        for (float[][] tensor : grads.data) {
            for (float[] row : tensor) {
                for (float x : row) {
                    sq += (double) x * x;
                }
            }
        }
        double norm = Math.sqrt(sq);
        double coef = max / (norm + 1e-6);
        if (coef < 1) {
            float f = (float) coef;
            for (float[][] tensor : grads.data) {
                for (float[] row : tensor) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] *= f;
                    }
                }
            }
        }
        return norm;
    }

    /** The live parameters (updated by every step). */
    public ParameterTensors parameters() {
        return params;
    }

    /** A copy of the current weights, name → entry, in the Hugging Face layout {@code ModelWriter} writes. */
    public Map<String, LlmVizJson.Entry> weights() {
        return params.toEntries();
    }

    /** The forward/backward the trainer uses. */
    public TrainableGpt model() {
        return model;
    }

    public int batch() {
        return batch;
    }
}
