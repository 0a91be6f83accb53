package dev.jgpt.cli;

import dev.jgpt.server.ServeBench;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt bench-serve}: load on a running {@code gpt serve} (or any OpenAI-compatible server). */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
        description = {"Stream completions from a running server at several concurrency levels and print, side by "
                + "side, generated tokens/s, time to first token and inter-token latency (p50, p99)."})
final class BenchServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "The server (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--concurrency", paramLabel = "N,N,...", split = ",", defaultValue = "1,4,16",
            description = "Clients at once, one run per value (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "32",
            description = "Completions per run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "CBABBC",
            description = "The prompt of every request (default: ${DEFAULT-VALUE}, for the sort model).")
    String prompt;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "6",
            description = "Tokens per completion (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Send 'Authorization: Bearer KEY'.")
    String apiKey;

    @Override
    public Integer call() throws InterruptedException {
        if (requests < 1 || maxTokens < 1 || concurrency.stream().anyMatch(c -> c < 1)) {
            throw new UsageException("--requests, --max-tokens and every --concurrency must be 1 or more");
        }
        ServeBench bench = new ServeBench(url, apiKey, prompt, maxTokens);
        List<ServeBench.Result> results = new ArrayList<>();
        for (int c : concurrency) {
            results.add(bench.run(c, requests));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(ServeBench.table(results));
        out.flush();
        int failed = results.stream().mapToInt(ServeBench.Result::failed).sum();
        if (failed == results.stream().mapToInt(ServeBench.Result::requests).sum()) {
            throw new UsageException("every request to " + url + " failed: is 'gpt serve' running there?");
        }
        return ExitCodes.OK;
    }
}
