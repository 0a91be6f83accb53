package dev.jgpt.cli;

import dev.jgpt.server.GptServer;
import dev.jgpt.server.ServerOptions;
import dev.jgpt.server.StopSignals;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gpt serve}: the OpenAI-compatible HTTP server (module {@code server}). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the model over HTTP with OpenAI's API (POST /v1/completions, GET /v1/models, /health, "
                + "/metrics, /tokenize, /detokenize), batching all clients together.",
            "SIGTERM or Ctrl-C: stop accepting, let running requests finish, exit 0."})
final class ServeCommand implements Callable<Integer> {
    /** The environment variable that holds the API key when --api-key-file is not given. */
    static final String API_KEY_ENV = "GPT_API_KEY";

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions options = new ModelOptions();

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for all).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080",
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 for any free one).")
    int port;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "16",
            description = "Most sequences generating together in one batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "64",
            description = "Most sequences waiting for a place in the batch; more get 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-step-tokens", paramLabel = "N", defaultValue = "0",
            description = "Most tokens in one forward pass: one per generating sequence, the rest prefill joining "
                    + "prompts in chunks (default: " + ServerOptions.DEFAULT_STEP_TOKENS + ").")
    int maxStepTokens;

    @Option(names = "--kv-cache-mb", paramLabel = "MB", defaultValue = "0",
            description = "KV cache size in MiB (default: enough for --max-batch full contexts).")
    int kvCacheMb;

    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer KEY' on every /v1 route, KEY being this file's content "
                    + "(else the environment variable " + API_KEY_ENV + ", if set).")
    Path apiKeyFile;

    @Override
    public Integer call() throws InterruptedException {
        ServerOptions so;
        try {
            so = ServerOptions.defaults().withHost(host).withPort(port).withMaxBatch(maxBatch).withMaxQueue(maxQueue)
                    .withKvCacheMb(kvCacheMb).withMaxStepTokens(maxStepTokens).withApiKey(apiKey())
                    .withModelName(modelName());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        StopSignals stop = StopSignals.install();
        GptServer server;
        try {
            server = GptServer.start(so, options::load, options.backendName());
        } catch (GptServer.BindException e) {
            throw new UsageException(e.getMessage() + "; choose another --port or --host");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("gpt: serving " + so.modelName() + " on " + server.uri() + " (POST /v1/completions; "
                + (so.apiKey() == null ? "no API key" : "API key required") + "); SIGTERM or Ctrl-C stops");
        out.flush();
        stop.await();
        boolean clean = server.shutdown(so.drainTimeout());
        out.println("gpt: stopped" + (clean ? "" : " (requests still running after "
                + so.drainTimeout().toSeconds() + " s were ended with an error)"));
        out.flush();
        return ExitCodes.OK;
    }

    /** The model's id: its folder's name, or its GGUF file's name without {@code .gguf}. */
    private String modelName() {
        if (options.model == null) {
            return "jgpt-sort";
        }
        String name = options.model.toAbsolutePath().normalize().getFileName().toString();
        return name.endsWith(".gguf") && name.length() > 5 ? name.substring(0, name.length() - 5) : name;
    }

    private String apiKey() {
        String key;
        if (apiKeyFile != null) {
            try {
                key = Files.readString(apiKeyFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UsageException("cannot read --api-key-file " + apiKeyFile + ": " + e.getMessage());
            }
            if (key.isEmpty()) {
                throw new UsageException("--api-key-file " + apiKeyFile + " is empty: put the key in it");
            }
            return key;
        }
        key = System.getenv(API_KEY_ENV);
        return key == null || key.isBlank() ? null : key.strip();
    }
}
