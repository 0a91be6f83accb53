package dev.jgpt.server;

import java.time.Duration;

/**
 * How {@code gpt serve} runs.
 *
 * @param host          the address to bind (127.0.0.1 unless told otherwise)
 * @param port          the port, or 0 for any free one
 * @param maxBatch      most sequences decoding together (the engine's batch)
 * @param maxQueue      most sequences waiting for a place in the batch; past it, 429
 * @param kvCacheMb     KV cache size in MiB, or 0 for enough for {@code maxBatch} full contexts
 * @param maxStepTokens most tokens in one engine step: one per decoding sequence, the rest for prompt chunks (chunked
 *                      prefill); smaller caps how long a joining prompt can hold up the others' next token;
 *                      0 for {@link #DEFAULT_STEP_TOKENS} (or {@code maxBatch} if larger)
 * @param apiKey        the key every {@code /v1} route requires as {@code Authorization: Bearer}, or null for none
 * @param maxBodyBytes  the largest request body accepted; past it, 413
 * @param drainTimeout  how long a shutdown lets running requests finish before ending them with an error
 * @param modelName     the model's id in {@code /v1/models} and in every reply
 * @param stepDelay     a pause after every engine step (tests use it to hold requests in flight); zero otherwise
 */
public record ServerOptions(String host, int port, int maxBatch, int maxQueue, int kvCacheMb, int maxStepTokens,
        String apiKey,
        long maxBodyBytes, Duration drainTimeout, String modelName, Duration stepDelay) {

    /** Tokens per step unless told otherwise: a 32-token prompt joins without stalling 16 decodes for long. */
    public static final int DEFAULT_STEP_TOKENS = 512;

    public ServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("--max-batch must be 1 or more, got " + maxBatch);
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("--max-queue must be 0 or more, got " + maxQueue);
        }
        if (kvCacheMb < 0) {
            throw new IllegalArgumentException("--kv-cache-mb must be 0 or more, got " + kvCacheMb);
        }
        if (maxStepTokens != 0 && maxStepTokens < maxBatch) {
            throw new IllegalArgumentException("--max-step-tokens must be at least --max-batch (" + maxBatch
                    + "), as every sequence in the batch takes a token per step; got " + maxStepTokens);
        }
    }

    /** 127.0.0.1:8080, batch 16, queue 64, a KV cache for 16 full contexts, no key, 1 MiB bodies, 30 s drain. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, 16, 64, 0, 0, null, 1 << 20, Duration.ofSeconds(30), "jgpt",
                Duration.ZERO);
    }

    /** Tokens per engine step: {@link #maxStepTokens}, or the default for 0. */
    public int stepTokens() {
        return maxStepTokens == 0 ? Math.max(DEFAULT_STEP_TOKENS, maxBatch) : maxStepTokens;
    }

    public ServerOptions withHost(String h) {
        return new ServerOptions(h, port, maxBatch, maxQueue, kvCacheMb, maxStepTokens, apiKey, maxBodyBytes,
                drainTimeout, modelName, stepDelay);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, maxBatch, maxQueue, kvCacheMb, maxStepTokens, apiKey, maxBodyBytes,
                drainTimeout, modelName, stepDelay);
    }

    public ServerOptions withMaxBatch(int n) {
        return new ServerOptions(host, port, n, maxQueue, kvCacheMb, maxStepTokens, apiKey, maxBodyBytes,
                drainTimeout, modelName, stepDelay);
    }

    public ServerOptions withMaxQueue(int n) {
        return new ServerOptions(host, port, maxBatch, n, kvCacheMb, maxStepTokens, apiKey, maxBodyBytes,
                drainTimeout, modelName, stepDelay);
    }

    public ServerOptions withKvCacheMb(int mb) {
        return new ServerOptions(host, port, maxBatch, maxQueue, mb, maxStepTokens, apiKey, maxBodyBytes,
                drainTimeout, modelName, stepDelay);
    }

    public ServerOptions withMaxStepTokens(int n) {
        return new ServerOptions(host, port, maxBatch, maxQueue, kvCacheMb, n, apiKey, maxBodyBytes, drainTimeout,
                modelName, stepDelay);
    }

    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, maxBatch, maxQueue, kvCacheMb, maxStepTokens, key, maxBodyBytes,
                drainTimeout, modelName, stepDelay);
    }

    public ServerOptions withMaxBodyBytes(long n) {
        return new ServerOptions(host, port, maxBatch, maxQueue, kvCacheMb, maxStepTokens, apiKey, n, drainTimeout,
                modelName, stepDelay);
    }

    public ServerOptions withDrainTimeout(Duration d) {
        return new ServerOptions(host, port, maxBatch, maxQueue, kvCacheMb, maxStepTokens, apiKey, maxBodyBytes, d,
                modelName, stepDelay);
    }

    public ServerOptions withModelName(String name) {
        return new ServerOptions(host, port, maxBatch, maxQueue, kvCacheMb, maxStepTokens, apiKey, maxBodyBytes,
                drainTimeout, name, stepDelay);
    }

    public ServerOptions withStepDelay(Duration d) {
        return new ServerOptions(host, port, maxBatch, maxQueue, kvCacheMb, maxStepTokens, apiKey, maxBodyBytes,
                drainTimeout, modelName, d);
    }
}
