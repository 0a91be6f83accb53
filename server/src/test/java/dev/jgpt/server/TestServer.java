package dev.jgpt.server;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jgpt.api.Backends;
import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.Gpt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A server on a free loopback port over the embedded sort model on the plain backend, and an HTTP client. */
final class TestServer implements AutoCloseable {
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final GptServer server;
    /** The server's address, taken while it listens (a stopped connector has no port). */
    private final URI base;

    TestServer(UnaryOperator<ServerOptions> options) {
        ServerOptions o = options.apply(ServerOptions.defaults().withPort(0).withModelName("jgpt-sort"));
        this.server = GptServer.start(o, () -> Gpt.load(DefaultModel.folder(),
                Backends.discover().require("plain").create()));
        this.base = server.uri();
    }

    TestServer() {
        this(o -> o);
    }

    /** A response: its status, headers and body. */
    record Reply(int status, HttpResponse<String> raw) {
        String body() {
            return raw.body();
        }

        JsonObject json() {
            return JsonParser.parseString(raw.body()).getAsJsonObject();
        }

        /** The error object's message. */
        String message() {
            return json().getAsJsonObject("error").get("message").getAsString();
        }

        /** The text of choice {@code i}. */
        String text(int i) {
            return json().getAsJsonArray("choices").get(i).getAsJsonObject().get("text").getAsString();
        }
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    Reply post(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    Reply get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET().timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    static Reply send(HttpRequest r) {
        try {
            HttpResponse<String> resp = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
            return new Reply(resp.statusCode(), resp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code data:} payloads of an SSE body, in order, {@code [DONE]} included. */
    static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (!block.isEmpty()) {
                if (!block.startsWith("data: ")) {
                    throw new AssertionError("not an SSE data line: " + block);
                }
                out.add(block.substring(6));
            }
        }
        return out;
    }

    /** The value of a metric line such as {@code jgpt_kv_blocks_in_use 1.0}. */
    double metric(String name) {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).strip());
            }
        }
        throw new AssertionError("no metric " + name);
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown(Duration.ofSeconds(5));
    }
}
