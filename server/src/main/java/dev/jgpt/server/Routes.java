package dev.jgpt.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Tokenizer;
import java.io.IOException;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Every route of the server, on Jetty's core handler (no servlet layer). Each request is served to its end on the
 * Jetty thread that took it: the body read, the job handed to the engine thread, the answer written.
 */
final class Routes extends Handler.Abstract {
    /** What the routes serve once the model has loaded. */
    record Model(Completions completions, GptConfig config, Tokenizer tokenizer, String name, Metrics metrics,
            WalkthroughPage walkthrough) {
    }

    private final ServerOptions options;
    private final ApiKey key;
    private final Metrics metrics;
    private final Supplier<Model> model;
    private volatile boolean closing;

    Routes(ServerOptions options, Metrics metrics, Supplier<Model> model) {
        this.options = options;
        this.key = options.apiKey() == null ? null : new ApiKey(options.apiKey());
        this.metrics = metrics;
        this.model = model;
    }

    /** New requests get 503 from now on. */
    void close() {
        closing = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = 200;
        try {
            status = route(request, response);
            callback.succeeded();
        } catch (ApiError e) {
            status = e.status;
            error(response, callback, e);
        } catch (IOException e) { // the client went away: nothing to answer
            status = 499;
            callback.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 503;
            error(response, callback, ApiError.unavailable("the server is shutting down"));
        } catch (RuntimeException e) {
            status = 500;
            error(response, callback, ApiError.internal("internal error (a bug): "
                    + dev.jgpt.model.Words.withoutClassNames(oneLine(e.getMessage()))));
        }
        metrics.requests.labelValues(Integer.toString(status)).inc();
        return true;
    }

    private int route(Request request, Response response) throws IOException, InterruptedException {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (path.startsWith("/v1/") && key != null && !key.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            throw ApiError.unauthorized();
        }
        switch (path) {
            case "/" -> {
                expect(method, "GET");
                Http.send(response, 200, "text/html; charset=utf-8", Playground.page());
                return 200;
            }
            case "/health" -> {
                expect(method, "GET");
                boolean ready = model.get() != null && !closing;
                JsonObject o = new JsonObject();
                o.addProperty("status", closing ? "shutting down" : ready ? "ok" : "loading");
                Http.json(response, ready ? 200 : 503, o);
                return ready ? 200 : 503;
            }
            case "/metrics" -> {
                expect(method, "GET");
                Http.send(response, 200, Metrics.contentType(), metrics.scrape());
                return 200;
            }
            case "/walkthrough" -> {
                expect(method, "GET");
                Http.send(response, 200, "text/html; charset=utf-8", ready().walkthrough().render(
                        Request.extractQueryParameters(request).getValue("prompt")));
                return 200;
            }
            case "/v1/models" -> {
                expect(method, "GET");
                Http.json(response, 200, models(ready()));
                return 200;
            }
            case "/v1/completions" -> {
                expect(method, "POST");
                Model m = ready();
                m.completions().handle(Fields.parse(Http.body(request, options.maxBodyBytes())), response);
                return 200;
            }
            case "/v1/chat/completions" -> {
                expect(method, "POST");
                throw ApiError.badRequest(null, "this model has no chat template (GPT-2 is not a chat model): "
                        + "send a prompt to /v1/completions instead");
            }
            case "/tokenize" -> {
                expect(method, "POST");
                Http.json(response, 200, tokenize(ready(), Fields.parse(Http.body(request, options.maxBodyBytes()))));
                return 200;
            }
            case "/detokenize" -> {
                expect(method, "POST");
                Http.json(response, 200, detokenize(ready(),
                        Fields.parse(Http.body(request, options.maxBodyBytes()))));
                return 200;
            }
            default -> throw ApiError.notFound("no route " + method + " " + path + "; see / (the playground), "
                    + "/walkthrough?prompt=…, /v1/completions, /v1/models, /health, /metrics, /tokenize, /detokenize");
        }
    }

    private Model ready() {
        if (closing) {
            throw ApiError.unavailable("the server is shutting down");
        }
        Model m = model.get();
        if (m == null) {
            throw ApiError.unavailable("the model is still loading; retry shortly");
        }
        return m;
    }

    private static void expect(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new ApiError(405, "invalid_request_error", null, "method_not_allowed", "use " + allowed
                    + " here, not " + method);
        }
    }

    private static JsonObject models(Model m) {
        JsonObject entry = new JsonObject();
        entry.addProperty("id", m.name());
        entry.addProperty("object", "model");
        entry.addProperty("created", 0);
        entry.addProperty("owned_by", "jgpt");
        entry.addProperty("max_model_len", m.config().nPositions);
        JsonArray data = new JsonArray();
        data.add(entry);
        JsonObject o = new JsonObject();
        o.addProperty("object", "list");
        o.add("data", data);
        return o;
    }

    /** vLLM's {@code /tokenize}: {@code {"prompt": text}} → {@code {"tokens", "count", "max_model_len"}}. */
    private static JsonObject tokenize(Model m, Fields f) {
        JsonElement p = f.get("prompt");
        if (p == null || !(p.isJsonPrimitive() && p.getAsJsonPrimitive().isString())) {
            throw ApiError.badRequest("prompt", "'prompt' is required and must be a string");
        }
        int[] ids;
        try {
            ids = m.tokenizer().encode(p.getAsString());
        } catch (InvalidInputException e) {
            throw ApiError.badRequest("prompt", e.getMessage());
        }
        JsonArray tokens = new JsonArray();
        for (int id : ids) {
            tokens.add(id);
        }
        JsonObject o = new JsonObject();
        o.add("tokens", tokens);
        o.addProperty("count", ids.length);
        o.addProperty("max_model_len", m.config().nPositions);
        return o;
    }

    /** vLLM's {@code /detokenize}: {@code {"tokens": [ids]}} → {@code {"prompt": text}}. */
    private static JsonObject detokenize(Model m, Fields f) {
        JsonElement t = f.get("tokens");
        if (t == null || !t.isJsonArray()) {
            throw ApiError.badRequest("tokens", "'tokens' is required and must be an array of token ids");
        }
        JsonArray a = t.getAsJsonArray();
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            long v = Fields.asInteger(a.get(i), "tokens");
            if (v < 0 || v >= m.config().vocabSize) {
                throw ApiError.badRequest("tokens", "token id " + v + " is outside the vocabulary [0, "
                        + m.config().vocabSize + ")");
            }
            ids[i] = (int) v;
        }
        JsonObject o = new JsonObject();
        o.addProperty("prompt", m.tokenizer().decode(ids));
        return o;
    }

    private static void error(Response response, Callback callback, ApiError e) {
        try {
            if (e.status == 429) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            }
            if (response.isCommitted()) { // a stream already under way: the error goes in it
                callback.failed(e);
                return;
            }
            Http.json(response, e.status, e.toJson());
            callback.succeeded();
        } catch (IOException io) {
            callback.failed(io);
        }
    }

    private static String oneLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
