package dev.jgpt.model;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.BlockPool;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Continuous batching over one model, step by step (the design of vLLM's scheduler): sequences are
 * {@linkplain #submit submitted} at any time, join the running batch at the next {@link #step} when a slot and KV
 * cache blocks are free, and leave it when they finish. Each step is one forward pass over a flattened batch: one
 * token for every decoding sequence, then chunks of waiting prompts up to {@link EngineOptions#maxTokensPerStep}
 * (chunked prefill). A sequence samples with its own seeded sampler from its own logits, so on a batch-invariant
 * backend its tokens are the same alone, in any batch, and however its prompt was chunked.
 *
 * <p>KV memory: a paged cache ({@link BlockPool}) whose blocks a sequence takes as it grows and gives back when it
 * ends. A sequence is admitted only when the blocks its whole life may need ({@code prompt + maxNewTokens}, at most
 * the context) are free of other reservations, so a running sequence never runs out.
 *
 * <p>One thread drives an engine (not thread-safe); several engines may share one {@link Gpt}.
 */
public final class Engine implements AutoCloseable {
    private final Gpt gpt;
    private final TensorBackend backend;
    private final GptConfig config;
    private final EngineOptions options;
    private final KvCache cache;
    private final BlockPool pool;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private int reserved;
    private long nextId;
    private int lastBatchTokens;
    private boolean closed;

    Engine(Gpt gpt, EngineOptions options) {
        this.gpt = gpt;
        this.backend = gpt.backend();
        this.config = gpt.config();
        this.options = options;
        int perSequence = (config.nPositions + options.blockSize() - 1) / options.blockSize();
        int blocks = options.kvBlocks() > 0 ? options.kvBlocks() : options.maxSequences() * perSequence;
        KvCacheSpec spec = gpt.cacheSpec(options.blockSize(), blocks);
        this.pool = new BlockPool(spec);
        this.cache = gpt.borrowCache(spec);
    }

    /**
     * Queues a sequence; it starts at a later {@link #step}. A request with {@code maxNewTokens} 0 is finished at
     * once, unless it scores its prompt ({@link Request#promptSteps}): it then ends after its prefill.
     *
     * @throws InvalidInputException for an empty prompt, an id outside the vocabulary, a prompt the context cannot
     *                               hold, a negative token limit, or a sequence larger than the whole KV cache
     */
    public Sequence submit(Request request) {
        PromptFit.check(request.prompt(), 0, config); // ids in the vocabulary, the prompt within the context
        if (request.maxNewTokens() < 0) {
            throw new InvalidInputException("max new tokens must be 0 or more, got " + request.maxNewTokens());
        }
        Sequence s = new Sequence(nextId++, request);
        s.reserved = pool.blocksFor(lifetime(s));
        if (s.reserved > pool.capacity()) {
            throw new InvalidInputException("a sequence of " + lifetime(s) + " positions needs " + s.reserved
                    + " KV cache blocks but the cache holds " + pool.capacity() + "; give it more memory");
        }
        if (request.maxNewTokens() == 0 && !request.promptSteps()) { // nothing to generate, nothing to score
            s.finish(FinishReason.LENGTH);
        } else {
            waiting.add(s);
        }
        return s;
    }

    private int lifetime(Sequence s) {
        return lifetime(s.request().prompt().length, s.request().maxNewTokens(), config.nPositions);
    }

    /**
     * Positions a sequence may occupy in the KV cache over its life: its prompt plus its new tokens but the last
     * (never fed back), at most the context; what admission reserves blocks for.
     */
    static int lifetime(int promptLength, int maxNewTokens, int context) {
        return Math.min(context, promptLength + Math.max(1, maxNewTokens) - 1);
    }

    /** Ends a sequence now (waiting or running) and frees its blocks; a finished one is left as it is. */
    public void cancel(Sequence s) {
        if (s.finished()) {
            return;
        }
        s.finish(FinishReason.CANCELLED);
        waiting.remove(s);
        if (running.remove(s)) {
            release(s);
        }
    }

    /** Whether nothing is waiting or running. */
    public boolean idle() {
        return waiting.isEmpty() && running.isEmpty();
    }

    public int waitingCount() {
        return waiting.size();
    }

    public int runningCount() {
        return running.size();
    }

    /** KV cache blocks in use, and in all. */
    public int blocksInUse() {
        return pool.used();
    }

    public int blocksTotal() {
        return pool.capacity();
    }

    /** Tokens in the last step's forward pass. */
    public int lastBatchTokens() {
        return lastBatchTokens;
    }

    /**
     * One forward pass: admits waiting sequences, runs one token of every decoding sequence and prompt chunks, and
     * samples the next token of every sequence whose input is complete.
     *
     * @return the tokens produced in this step, in batch order (sequences that finished by a stop token produce
     *         none but are finished)
     */
    public List<Event> step() {
        admit();
        if (running.isEmpty()) {
            lastBatchTokens = 0;
            return List.of();
        }
        List<Sequence> members = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int budget = options.maxTokensPerStep();
        for (Sequence s : running) { // decodes first: one token each
            if (s.length() - s.cached == 1) {
                members.add(s);
                counts.add(1);
                budget--;
            }
        }
        for (Sequence s : running) { // then prompt chunks with what is left
            int todo = s.length() - s.cached;
            if (todo > 1 && budget > 0) {
                int n = Math.min(todo, budget);
                members.add(s);
                counts.add(n);
                budget -= n;
            }
        }
        int total = options.maxTokensPerStep() - budget;
        int[] ids = new int[total];
        int[] seq = new int[total];
        int[] pos = new int[total];
        int[][] tables = new int[members.size()][];
        List<Integer> logitRows = new ArrayList<>();
        List<Sequence> owners = new ArrayList<>();
        List<Integer> scored = new ArrayList<>(); // the prompt token a row's logits score, or −1: sample from them
        int n = 0;
        for (int m = 0; m < members.size(); m++) {
            Sequence s = members.get(m);
            int count = counts.get(m);
            int promptLength = s.request().prompt().length;
            s.growTo(s.cached + count, pool);
            tables[m] = s.blocks;
            for (int i = 0; i < count; i++, n++) {
                int p = s.cached + i;
                ids[n] = s.token(p);
                seq[n] = m;
                pos[n] = p;
                if (s.request().promptSteps() && p + 1 < promptLength) {
                    logitRows.add(n);
                    owners.add(s);
                    scored.add(p + 1);
                }
            }
            if (s.cached + count == s.length()) {
                logitRows.add(n - 1);
                owners.add(s);
                scored.add(-1);
            }
        }
        lastBatchTokens = total;
        AttentionBatch batch = new AttentionBatch(seq, pos, tables, options.blockSize());
        int[] rows = logitRows.stream().mapToInt(Integer::intValue).toArray();
        Tensor logits = gpt.forward(ids, batch, cache, rows, Trace.OFF);
        float[] host = backend.toArray(logits);
        backend.release(logits);
        for (int m = 0; m < members.size(); m++) {
            members.get(m).cached += counts.get(m);
        }
        List<Event> events = new ArrayList<>();
        int v = config.vocabSize;
        for (int r = 0; r < rows.length; r++) {
            Sequence s = owners.get(r);
            float[] row = Arrays.copyOfRange(host, r * v, (r + 1) * v);
            gpt.requireFinite(row, s::tokens);
            if (scored.get(r) >= 0) {
                s.scorePrompt(scored.get(r), row);
                continue;
            }
            Step step = s.request().maxNewTokens() == 0 ? s.scoredOnly() : s.accept(row, config.nPositions);
            events.add(new Event(s, step));
            if (s.finished()) {
                running.remove(s);
                release(s);
            }
        }
        return events;
    }

    /** A token produced by a step ({@code step} null when the sequence ended on a stop token). */
    public record Event(Sequence sequence, Step step) {
    }

    private void admit() {
        while (!waiting.isEmpty() && running.size() < options.maxSequences()
                && reserved + waiting.peek().reserved <= pool.capacity()) {
            Sequence s = waiting.poll();
            reserved += s.reserved;
            running.add(s);
        }
    }

    private void release(Sequence s) {
        pool.give(s.blocks);
        s.blocks = new int[0];
        reserved -= s.reserved;
    }

    /**
     * Gives the KV cache back to the model, which keeps it for the next engine of its shape. Sequences still running
     * are cancelled. Closing again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Sequence s : new ArrayList<>(running)) {
            cancel(s);
        }
        waiting.forEach(s -> s.finish(FinishReason.CANCELLED));
        waiting.clear();
        gpt.giveBack(cache);
    }
}
