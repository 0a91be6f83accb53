package dev.jgpt.model;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.BlockPool;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A GPT-2 model on one backend: embedding → blocks → LM head, over a flattened token batch. Immutable once loaded,
 * so one instance can serve many threads as long as each has its own KV cache.
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
    private final TokenizerChoice tokenizer;
    private Runnable onClose = () -> { };
    private final String widened;
    /** The KV cache of the last engine or forward pass that finished, kept for the next of the same shape. */
    private KvCache spare;
    private boolean closed;

    Gpt(GptConfig config, TokenizerChoice tokenizer, TensorBackend backend, Embedding embedding, List<Block> blocks,
            LmHead head, List<Tensor> weights, String widened) {
        this.widened = widened;
        this.config = config;
        this.tokenizer = tokenizer;
        this.backend = backend;
        this.embedding = embedding;
        this.blocks = List.copyOf(blocks);
        this.head = head;
        this.weights = List.copyOf(weights);
    }

    /**
     * Loads a model onto a backend: a Hugging Face GPT-2 folder ({@code config.json} + {@code model.safetensors}) or a
     * GGUF file of llama.cpp's {@code gpt2} architecture (a regular file starting with the bytes {@code GGUF}).
     *
     * @throws ModelLoadException in one line naming the file and what is wrong with it
     */
    public static Gpt load(Path path, TensorBackend backend) {
        return GptLoader.load(path, backend);
    }

    public GptConfig config() {
        return config;
    }

    /**
     * One line saying which of the file's weights the backend widened to float32 because it does not compute on
     * their dtype ({@link TensorBackend#weightTypes()}), or null when every weight kept its stored form.
     */
    public String widenedWeights() {
        return widened;
    }

    public TensorBackend backend() {
        return backend;
    }

    /** Which tokenizer this model uses and what said so: its declaration, else its vocabulary size. */
    public TokenizerChoice tokenizerChoice() {
        return tokenizer;
    }

    /**
     * This model's tokenizer, as its folder declares it ({@link TokenizerChoice}).
     *
     * @throws InvalidInputException when it has none jgpt can use (give token ids instead)
     */
    public Tokenizer tokenizer() {
        return tokenizer.tokenizer();
    }

    /** A greedy-by-default generator over this model. */
    public Generator generator() {
        return new Generator(this);
    }

    /** An engine that runs many sequences together, step by step (see {@link Engine}). */
    public Engine engine(EngineOptions options) {
        return new Engine(this, options);
    }

    /** The KV cache shape of this model with {@code blocks} blocks of {@code blockSize} positions. */
    public KvCacheSpec cacheSpec(int blockSize, int blocks) {
        return new KvCacheSpec(config.nLayer, config.nHead, config.headSize(), blockSize, blocks);
    }

    /**
     * The forward pass over a flattened batch.
     *
     * @param ids       [N] token ids, each in [0, V)
     * @param batch     which sequence and position each token is, and each sequence's KV cache blocks
     * @param cache     the KV cache (this pass's keys and values are written into it)
     * @param logitRows the rows (token indices) whose logits are wanted, e.g. each sequence's last token
     * @return logits [logitRows.length, V]
     */
    public Tensor forward(int[] ids, AttentionBatch batch, KvCache cache, int[] logitRows, Trace trace) {
        try (Forward f = new Forward(backend, batch, cache, trace)) {
            if (trace.enabled()) {
                f.trace.record("idx", f.sequences == 0 ? f.hostTensor(toFloats(ids), ids.length)
                        : f.hostTensor(toFloats(ids), f.sequences, f.time));
            }
            Tensor x = embedding.forward(ids, f); // [N, C]
            for (int i = 0; i < blocks.size(); i++) {
                try (Forward layer = f.layer(i)) {
                    x = f.own(layer.keep(blocks.get(i).forward(x, layer)));
                }
                f.record("block" + i, x);
            }
            boolean all = isIdentity(logitRows, ids.length);
            Tensor logits;
            if (trace.enabled()) { // every position's logits are traced, then the wanted rows chosen
                logits = head.forward(x, f);
                logits = all ? logits : f.own(backend.gatherRows(logits, logitRows));
            } else {
                logits = head.forward(all ? x : f.own(backend.gatherRows(x, logitRows)), f);
            }
            return f.keep(logits); // [R, V]
        } catch (InvalidInputException | BackendFailureException | NonFiniteException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackendFailureException("the backend failed during the forward pass: " + e.getMessage(), e);
        }
    }

    /**
     * B sequences of T tokens each, from position 0, in a cache no one else uses (the model's spare when its shape
     * fits, {@link #borrowCache}): logits for every position [B·T, V] (row b·T + t). The trace, when on, sees
     * [B, T, ·] tensors (the walkthrough's and llm-viz's shapes).
     */
    public Tensor forwardAll(int[] ids, int sequences, int time, Trace trace) {
        if (sequences < 1 || time < 1 || ids.length != sequences * time) {
            throw new IllegalArgumentException(ids.length + " ids are not " + sequences + " sequences of " + time);
        }
        int bs = KvCacheSpec.DEFAULT_BLOCK_SIZE;
        KvCacheSpec spec = cacheSpec(bs, sequences * ((time + bs - 1) / bs));
        BlockPool pool = new BlockPool(spec);
        int[][] tables = new int[sequences][];
        int[] seq = new int[ids.length];
        int[] pos = new int[ids.length];
        for (int b = 0; b < sequences; b++) {
            tables[b] = pool.take(pool.blocksFor(time));
            for (int t = 0; t < time; t++) {
                seq[b * time + t] = b;
                pos[b * time + t] = t;
            }
        }
        int[] rows = new int[ids.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        KvCache cache = borrowCache(spec);
        try {
            return forward(ids, new AttentionBatch(seq, pos, tables, bs), cache, rows, trace);
        } finally {
            giveBack(cache);
        }
    }

    /**
     * A KV cache of this shape: the one the last finished engine (or forward pass) gave back when its shape is the
     * same, else a new one from the backend. As llama.cpp keeps one cache per context, the blocks a batch filled are
     * reused by the next rather than allocated again: a batch of 729 nano sorts fills 13 MB of blocks, which, new
     * for every batch, outlived several young collections each and were copied into the old generation — where
     * first-touched pages cost this machine's hypervisor up to 0.2 s of system time per collection
     * (docs/PERFORMANCE.md). Stale keys and values are never attended (the conformance kit checks it).
     */
    synchronized KvCache borrowCache(KvCacheSpec spec) {
        KvCache c = spare;
        spare = null;
        if (c != null && c.spec().equals(spec)) {
            return c;
        }
        if (c != null) {
            c.close();
        }
        return backend.newKvCache(spec);
    }

    /** Takes back a cache from {@link #borrowCache} to keep for the next (the one kept before is freed). */
    synchronized void giveBack(KvCache cache) {
        if (cache == spare) {
            return;
        }
        if (closed) {
            cache.close();
            return;
        }
        if (spare != null) {
            spare.close();
        }
        spare = cache;
    }

    /** Layer-0 names recorded without a prefix; their {@code h0.} twins are checked instead. */
    private static final Set<String> LAYER_NAMES = Set.of("ln1", "qkv", "q", "k", "v", "att", "attSm", "y",
            "yProj", "attnResid", "ln2", "fc", "gelu", "mlp", "mlpResid");

    /**
     * Throws {@link NonFiniteException} when {@code logits} hold NaN or ±∞, naming the first traced intermediate
     * (and so the layer) where a non-finite value appeared, found by running {@code sequence} again with a checking
     * trace (asked for only on failure: the check itself is one pass over the logits).
     */
    public void requireFinite(float[] logits, java.util.function.Supplier<int[]> sequence) {
        for (float v : logits) {
            if (!Float.isFinite(v)) {
                throw new NonFiniteException("the logits hold " + v + "; the first non-finite value appears in "
                        + firstNonFinite(sequence.get()) + " (the weights overflow float32 on this input)");
            }
        }
    }

    private String firstNonFinite(int[] ids) {
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
        backend.release(forwardAll(ids, 1, ids.length, check));
        return first[0] == null ? "the logits" : first[0];
    }

    private static boolean isIdentity(int[] rows, int n) {
        if (rows.length != n) {
            return false;
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != i) {
                return false;
            }
        }
        return true;
    }

    private static float[] toFloats(int[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            f[i] = ids[i];
        }
        return f;
    }

    /**
     * Runs {@code action} after the weights are released when this model is closed (e.g. closing a backend that was
     * made for this model alone); returns this model.
     */
    public Gpt onClose(Runnable action) {
        Runnable before = onClose;
        onClose = () -> {
            before.run();
            action.run();
        };
        return this;
    }

    /**
     * Frees the KV cache kept for the next engine, releases the weights, then runs what {@link #onClose} registered.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (spare != null) {
                spare.close();
                spare = null;
            }
        }
        for (Tensor w : weights) {
            backend.release(w);
        }
        onClose.run();
    }
}
