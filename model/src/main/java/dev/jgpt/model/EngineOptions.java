package dev.jgpt.model;

import dev.jgpt.api.KvCacheSpec;

/**
 * How an {@link Engine} batches.
 *
 * @param maxSequences    most sequences running at once (the rest wait their turn)
 * @param maxTokensPerStep most tokens in one forward pass: each running decode takes one, prompts are prefilled in
 *                        chunks with what is left (chunked prefill), so a long prompt never stalls running decodes
 * @param blockSize       positions per KV cache block
 * @param kvBlocks        blocks in the KV cache pool, or 0 for enough for {@code maxSequences} full contexts
 */
public record EngineOptions(int maxSequences, int maxTokensPerStep, int blockSize, int kvBlocks) {

    public EngineOptions {
        if (maxSequences < 1 || maxTokensPerStep < maxSequences || blockSize < 1 || kvBlocks < 0) {
            throw new IllegalArgumentException("engine options need maxSequences ≥ 1, maxTokensPerStep ≥ "
                    + "maxSequences, blockSize ≥ 1 and kvBlocks ≥ 0: " + maxSequences + ", " + maxTokensPerStep
                    + ", " + blockSize + ", " + kvBlocks);
        }
    }

    /** 16 sequences, 512 tokens per step, blocks of 16, a pool for 16 full contexts. */
    public static EngineOptions defaults() {
        return new EngineOptions(16, 512, KvCacheSpec.DEFAULT_BLOCK_SIZE, 0);
    }

    public EngineOptions withMaxSequences(int n) {
        return new EngineOptions(n, Math.max(n, maxTokensPerStep), blockSize, kvBlocks);
    }

    public EngineOptions withMaxTokensPerStep(int n) {
        return new EngineOptions(maxSequences, n, blockSize, kvBlocks);
    }

    public EngineOptions withBlockSize(int n) {
        return new EngineOptions(maxSequences, maxTokensPerStep, n, kvBlocks);
    }

    public EngineOptions withKvBlocks(int n) {
        return new EngineOptions(maxSequences, maxTokensPerStep, blockSize, n);
    }
}
