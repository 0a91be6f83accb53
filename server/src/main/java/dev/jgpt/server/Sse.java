package dev.jgpt.server;

import com.google.gson.JsonElement;
import java.io.IOException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;

/** A server-sent event stream as OpenAI sends it: {@code data: {json}\n\n} per chunk, then {@code data: [DONE]}. */
final class Sse {
    private final Response response;

    Sse(Response response) {
        this.response = response;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    }

    void send(JsonElement chunk) throws IOException {
        Http.write(response, false, "data: " + Http.GSON.toJson(chunk) + "\n\n");
    }

    void done() throws IOException {
        Http.write(response, true, "data: [DONE]\n\n");
    }
}
