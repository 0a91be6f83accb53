package dev.jgpt.it.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Backends;
import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.Gpt;
import dev.jgpt.server.GptServer;
import dev.jgpt.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground page of {@code gpt serve} in headless Chromium: with {@code #selftest} it streams a completion of
 * the sort model from the server that served it, shows each token with its probability on hover, and reports what it
 * got as data-* attributes on {@code <body>}.
 */
class PlaygroundBrowserIT {
    @TempDir
    Path tmp;

    @Test
    void thePlaygroundStreamsTheSortedLettersWithTheirProbabilities() throws Exception {
        Chromium chromium = Chromium.require(tmp);
        GptServer server = GptServer.start(ServerOptions.defaults().withPort(0).withModelName("jgpt-sort"),
                () -> Gpt.load(DefaultModel.folder(), Backends.discover().require("plain").create()));
        try {
            URI page = server.uri().resolve("/");
            HttpResponse<String> html = HttpClient.newHttpClient().send(HttpRequest.newBuilder(page).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, html.statusCode());
            assertTrue(html.headers().firstValue("content-type").orElse("").startsWith("text/html"));
            assertFalse(html.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), "the page loads nothing else");

            // Headless Chromium's virtual-time budget does not wait for a streaming response body, so on a cold
            // server (first request: JIT, model warm-up) the DOM can be dumped mid-stream. Warm the server with the
            // page's own request, then allow a few dumps while the stream is still open (ready, no error, not done);
            // a page that never finishes, or errs, still fails.
            warmUp(server.uri().resolve("/v1/completions"));
            Chromium.Run run = null;
            Map<String, String> body = Map.of();
            for (int attempt = 1; attempt <= MAX_DUMPS; attempt++) {
                run = chromium.dumpDom(page + "#selftest");
                body = bodyAttributes(run.stdout());
                boolean stillStreaming = "1".equals(body.get("data-ready")) && "0".equals(body.get("data-done"))
                        && "0".equals(body.get("data-errors")) && !body.containsKey("data-error");
                if (!stillStreaming) {
                    break;
                }
                System.out.println("PlaygroundBrowserIT: DOM dumped mid-stream on attempt " + attempt + ": " + body);
            }
            assertEquals("1", body.get("data-ready"), "the page's script did not run: "
                    + Chromium.tail(run.stderr()));
            assertEquals("1", body.get("data-done"), "the completion did not finish: " + body);
            assertEquals("0", body.get("data-errors"), "errors on the page: " + Chromium.tail(run.stderr()));
            assertEquals("ABBBCC", body.get("data-text"));
            assertEquals("6", body.get("data-tokens"));
            assertEquals("length", body.get("data-finish"));
            assertTrue(body.get("data-title0").matches("\"A\": p = [01]\\.\\d{4} \\| top: \"A\" [01]\\.\\d{4}.*"),
                    "tooltip: " + body.get("data-title0"));
        } finally {
            server.shutdown(Duration.ofSeconds(5));
        }
    }

    /** Dumps of the page allowed while its stream is still open; see the test. */
    private static final int MAX_DUMPS = 3;

    /** The page's own request (its form's defaults), once, so the server is warm before the browser comes. */
    private static void warmUp(URI completions) throws Exception {
        String json = "{\"prompt\":\"CBABBC\",\"max_tokens\":6,\"temperature\":0,\"logprobs\":5,\"stream\":true}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(completions)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("data: [DONE]"), r.body());
    }

    static Map<String, String> bodyAttributes(String dom) {
        Matcher tag = Pattern.compile("<body([^>]*)>").matcher(dom);
        Map<String, String> out = new HashMap<>();
        if (tag.find()) {
            Matcher a = Pattern.compile("([a-z0-9-]+)=\"([^\"]*)\"").matcher(tag.group(1));
            while (a.find()) {
                out.put(a.group(1), a.group(2).replace("&quot;", "\"").replace("&amp;", "&"));
            }
        }
        return out;
    }
}
