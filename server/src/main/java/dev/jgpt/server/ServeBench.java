package dev.jgpt.server;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code gpt bench-serve}: a load generator for an OpenAI-compatible server. {@code concurrency} clients stream
 * {@code requests} completions between them, each timing its first token and the gaps between tokens.
 */
public final class ServeBench {
    private final URI url;
    private final String apiKey;
    private final String prompt;
    private final int maxTokens;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** What one concurrency level measured; latencies in seconds. */
    public record Result(int concurrency, int requests, int failed, long tokens, double seconds, double ttftP50,
            double ttftP99, double itlP50, double itlP99) {

        public double tokensPerSecond() {
            return tokens / seconds;
        }

        /** One row of {@link #table}. */
        String row() {
            return String.format(Locale.ROOT, "%11d %8d %6d %9.1f %9.1f %9.1f %8.2f %8.2f", concurrency, requests,
                    failed, tokensPerSecond(), ttftP50 * 1e3, ttftP99 * 1e3, itlP50 * 1e3, itlP99 * 1e3);
        }
    }

    /** @param url the server, e.g. {@code http://127.0.0.1:8080} */
    public ServeBench(URI url, String apiKey, String prompt, int maxTokens) {
        this.url = url.resolve("/v1/completions");
        this.apiKey = apiKey;
        this.prompt = prompt;
        this.maxTokens = maxTokens;
    }

    /** The results side by side, one line per concurrency level. */
    public static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder(
                "concurrency requests failed  tokens/s  ttft p50  ttft p99  itl p50  itl p99   (latencies in ms)\n");
        results.forEach(r -> sb.append(r.row()).append('\n'));
        return sb.toString();
    }

    /** Streams {@code requests} completions over {@code concurrency} clients. */
    public Result run(int concurrency, int requests) throws InterruptedException {
        List<Double> ttft = Collections.synchronizedList(new ArrayList<>());
        List<Double> itl = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long[] tokens = new long[concurrency];
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                int me = c;
                clients.add(pool.submit(() -> {
                    while (next.getAndIncrement() < requests) {
                        long n = stream(ttft, itl);
                        if (n < 0) {
                            failed.incrementAndGet();
                        } else {
                            tokens[me] += n;
                        }
                    }
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a client failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long total = 0;
        for (long t : tokens) {
            total += t;
        }
        return new Result(concurrency, requests, failed.get(), total, seconds, percentile(ttft, 50),
                percentile(ttft, 99), percentile(itl, 50), percentile(itl, 99));
    }

    /** One streamed completion; returns its tokens, or −1 when it failed (refused, cut off, or an error event). */
    private long stream(List<Double> ttft, List<Double> itl) {
        JsonObject body = new JsonObject();
        body.addProperty("prompt", prompt);
        body.addProperty("max_tokens", maxTokens);
        body.addProperty("stream", true);
        HttpRequest.Builder b = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        long sent = System.nanoTime();
        try {
            HttpResponse<Stream<String>> r = client.send(b.build(), HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                r.body().close();
                return -1;
            }
            long last = 0;
            long n = 0;
            boolean done = false;
            for (String line : (Iterable<String>) r.body()::iterator) {
                if (line.equals("data: [DONE]")) {
                    done = true;
                } else if (line.startsWith("data: ") && !JsonParser.parseString(line.substring(6)).getAsJsonObject()
                        .getAsJsonArray("choices").isEmpty()) {
                    long now = System.nanoTime();
                    if (n == 0) {
                        ttft.add((now - sent) / 1e9);
                    } else {
                        itl.add((now - last) / 1e9);
                    }
                    last = now;
                    n++;
                }
            }
            return done ? n : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
