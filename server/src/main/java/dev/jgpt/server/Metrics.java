package dev.jgpt.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The server's Prometheus metrics, in a registry of its own (so several servers in one JVM do not mix). */
final class Metrics {
    private static final double[] LATENCY = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
        30};
    private static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Gauge running = Gauge.builder().name("jgpt_requests_running")
            .help("Sequences in the running batch").register(registry);
    final Gauge waiting = Gauge.builder().name("jgpt_requests_waiting")
            .help("Sequences waiting for a place in the batch").register(registry);
    final Counter requests = Counter.builder().name("jgpt_requests_total")
            .help("HTTP requests answered, by status code").labelNames("code").register(registry);
    final Counter cancelled = Counter.builder().name("jgpt_sequences_cancelled_total")
            .help("Sequences cancelled before they finished (client gone, shutdown)").register(registry);
    final Counter promptTokens = Counter.builder().name("jgpt_prompt_tokens_total")
            .help("Prompt tokens of accepted sequences").register(registry);
    final Counter generatedTokens = Counter.builder().name("jgpt_generation_tokens_total")
            .help("Tokens generated").register(registry);
    final Histogram timeToFirstToken = Histogram.builder().name("jgpt_time_to_first_token_seconds")
            .help("From a request's arrival to its sequence's first token").classicOnly()
            .classicUpperBounds(LATENCY).register(registry);
    final Histogram interTokenLatency = Histogram.builder().name("jgpt_inter_token_latency_seconds")
            .help("Between two tokens of one sequence").classicOnly().classicUpperBounds(LATENCY)
            .register(registry);
    final Gauge kvBlocksInUse = Gauge.builder().name("jgpt_kv_blocks_in_use")
            .help("KV cache blocks held by sequences").register(registry);
    final Gauge kvBlocksTotal = Gauge.builder().name("jgpt_kv_blocks_total")
            .help("KV cache blocks in all").register(registry);
    final Histogram batchSequences = Histogram.builder().name("jgpt_batch_size")
            .help("Sequences in one engine step").classicOnly().classicUpperBounds(SIZES).register(registry);
    final Histogram batchTokens = Histogram.builder().name("jgpt_batch_tokens")
            .help("Tokens in one engine step's forward pass").classicOnly().classicUpperBounds(SIZES)
            .register(registry);

    /** The Prometheus text exposition format (version 0.0.4). */
    String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
