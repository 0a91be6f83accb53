package dev.jgpt.server;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.FutureCallback;

/** Blocking reads and writes of Jetty's request and response, for the HTTP thread that serves one request. */
final class Http {
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private Http() {
    }

    /** The body as UTF-8 text, at most {@code limit} bytes. @throws ApiError 413 past the limit */
    static String body(Request request, long limit) throws IOException {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > limit) {
            throw ApiError.tooLarge(limit);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (InputStream in = Content.Source.asInputStream(request)) {
            for (int r; (r = in.read(buf)) >= 0; ) {
                out.write(buf, 0, r);
                if (out.size() > limit) {
                    throw ApiError.tooLarge(limit);
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static void json(Response response, int status, JsonElement body) throws IOException {
        send(response, status, "application/json", GSON.toJson(body));
    }

    static void send(Response response, int status, String contentType, String body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        write(response, true, body);
    }

    /** Writes and waits until it is written. @throws IOException when the client has gone */
    static void write(Response response, boolean last, String text) throws IOException {
        FutureCallback done = new FutureCallback();
        response.write(last, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), done);
        try {
            done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }
}
