package dev.jgpt.model;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.nio.file.Path;
import java.util.List;

/**
 * A GPT-2 model on one backend: embedding → blocks → LM head. Immutable once loaded, so one instance can serve
 * many threads as long as each generation has its own KV caches (the backend's own thread-safety permitting).
 *
 * <pre>{@code
 * try (Gpt gpt = Gpt.load(Path.of("target/nano"), backend)) {
 *     int[] out = gpt.generator().generate(new int[] {2, 1, 0, 1, 1, 2}, 6); // greedy
 * }
 * }</pre>
 */
public final class Gpt implements AutoCloseable {
    private final GptConfig config;
    private final TensorBackend backend;
    private final Embedding embedding;
    private final List<Block> blocks;
    private final LmHead head;
    private final List<Tensor> weights;

    Gpt(GptConfig config, TensorBackend backend, Embedding embedding, List<Block> blocks, LmHead head,
            List<Tensor> weights) {
        this.config = config;
        this.backend = backend;
        this.embedding = embedding;
        this.blocks = List.copyOf(blocks);
        this.head = head;
        this.weights = List.copyOf(weights);
    }

    /** Loads a Hugging Face GPT-2 folder ({@code config.json} + {@code model.safetensors}) onto a backend. */
    public static Gpt load(Path dir, TensorBackend backend) {
        return GptLoader.load(dir, backend);
    }

    public GptConfig config() {
        return config;
    }

    public TensorBackend backend() {
        return backend;
    }

    /** A greedy-by-default generator over this model. */
    public Generator generator() {
        return new Generator(this);
    }

    /** One empty KV cache per layer, for a batch of {@code batch} sequences. */
    public KvCache[] newCaches(int batch) {
        KvCache[] caches = new KvCache[config.nLayer];
        for (int i = 0; i < caches.length; i++) {
            caches[i] = backend.newKvCache(batch, config.nHead, config.headSize(), config.nPositions);
        }
        return caches;
    }

    /**
     * The forward pass.
     *
     * @param ids          [B·T] token ids, row-major over (b, t), each in [0, V)
     * @param caches       one KV cache per layer (extended by these positions), or null for none
     * @param allPositions logits for every position, or only for the last (what generation needs); a trace always
     *                     gets every position
     * @return logits [B, T, V], or [B, 1, V] for the last position only
     */
    public Tensor forward(int[] ids, int batch, int time, KvCache[] caches, boolean allPositions, Trace trace) {
        try {
            return forwardUnchecked(ids, batch, time, caches, allPositions, trace);
        } catch (InvalidInputException | BackendFailureException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackendFailureException("backend '" + backend.name() + "' failed during the forward pass: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private Tensor forwardUnchecked(int[] ids, int batch, int time, KvCache[] caches, boolean allPositions,
            Trace trace) {
        int offset = caches == null ? 0 : caches[0].length();
        if (trace.enabled()) {
            trace.record("idx", backend.fromArray(toFloats(ids), batch, time));
        }
        Tensor x = embedding.forward(ids, batch, time, offset, trace); // [B, T, C]
        for (int i = 0; i < blocks.size(); i++) {
            Tensor next = blocks.get(i).forward(x, caches == null ? null : caches[i], trace.layer(i));
            backend.release(x);
            x = next;
            if (trace.enabled()) {
                trace.record("block" + i, x);
            }
        }
        if (!allPositions && !trace.enabled() && time > 1) {
            Tensor last = backend.slice(x, 1, time - 1, time); // [B, 1, C]
            backend.release(x);
            x = last;
        }
        Tensor logits = head.forward(x, trace);
        backend.release(x);
        return logits;
    }

    /** Layer-0 names recorded without a prefix; their {@code h0.} twins are checked instead. */
    private static final java.util.Set<String> LAYER_NAMES = java.util.Set.of("ln1", "qkv", "q", "k", "v", "att",
            "attSm", "y", "yProj", "attnResid", "ln2", "fc", "gelu", "mlp", "mlpResid");

    /**
     * Throws when {@code logits} hold NaN or ±∞, naming the first traced intermediate (and so the layer) where a
     * non-finite value appeared, found by running the sequences again with a checking trace.
     *
     * @param sequences the full sequences [B·T] that produced the logits (asked for only on failure)
     */
    public void requireFinite(float[] logits, java.util.function.Supplier<int[]> sequences, int batch, int time) {
        for (float v : logits) {
            if (!Float.isFinite(v)) {
                throw new ModelLoadException("the logits hold " + v + "; the first non-finite value appears in "
                        + firstNonFinite(sequences.get(), batch, time)
                        + " (the weights overflow float32 on this input)");
            }
        }
    }

    private String firstNonFinite(int[] ids, int batch, int time) {
        String[] first = {null};
        Trace check = new Trace() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void record(String name, Tensor t) {
                // att legitimately holds −∞ where masked; attSm shows any real trouble right after it
                if (first[0] != null || LAYER_NAMES.contains(name) || name.endsWith(".att")) {
                    return;
                }
                for (float v : backend.toArray(t)) {
                    if (!Float.isFinite(v)) {
                        first[0] = name;
                        return;
                    }
                }
            }
        };
        backend.release(forward(ids, batch, time, null, true, check));
        return first[0] == null ? "the logits" : first[0];
    }

    private static float[] toFloats(int[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            f[i] = ids[i];
        }
        return f;
    }

    /** Releases the weights. */
    @Override
    public void close() {
        for (Tensor w : weights) {
            backend.release(w);
        }
    }
}
