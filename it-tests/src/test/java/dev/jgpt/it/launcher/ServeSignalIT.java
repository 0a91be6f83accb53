package dev.jgpt.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./gpt serve} answers, curl sees OpenAI's SSE framing byte for byte, and SIGTERM sent to the launcher stops
 * it cleanly with exit code 0.
 */
class ServeSignalIT {
    /**
     * {@code curl -sN -i} of a streamed completion: status 200, {@code Content-Type: text/event-stream}, then exactly
     * six {@code data: {json}\n\n} frames (one per letter of the sorted output) and {@code data: [DONE]\n\n}, nothing
     * else: the framing an OpenAI client parses.
     */
    private static void curlStreamsServerSentEvents(String base) throws Exception {
        Process curl = new ProcessBuilder("curl", "-sN", "-i", "--max-time", "60", base + "/v1/completions", "-H",
                "Content-Type: application/json", "-d", "{\"prompt\":\"CBABBC\",\"max_tokens\":6,\"stream\":true}")
                .redirectErrorStream(true).start();
        String raw = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(90, TimeUnit.SECONDS), "curl did not finish");
        assertEquals(0, curl.exitValue(), "curl failed: " + raw);
        int split = raw.indexOf("\r\n\r\n");
        assertTrue(split > 0, "no header/body boundary in: " + raw);
        String head = raw.substring(0, split).toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.startsWith("http/1.1 200"), head);
        assertTrue(head.contains("content-type: text/event-stream"), head);
        String body = raw.substring(split + 4);
        Matcher frames = Pattern.compile("data: (\\{[^\n]*\\})\n\n").matcher(body);
        StringBuilder text = new StringBuilder();
        int count = 0;
        int end = 0;
        while (frames.find() && frames.start() == end) {
            Matcher t = Pattern.compile("\"text\":\"([^\"]*)\"").matcher(frames.group(1));
            assertTrue(t.find(), frames.group(1));
            text.append(t.group(1));
            count++;
            end = frames.end();
        }
        assertEquals(6, count, "six data frames, one per token, in: " + body);
        assertEquals("ABBBCC", text.toString());
        assertEquals("data: [DONE]\n\n", body.substring(end), "then [DONE] and nothing else");
    }

    @Test
    void servesThenStopsOnSigtermWithExitZero() throws Exception {
        Path gpt = Path.of(System.getProperty("jgpt.root", "."), "gpt").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder("bash", gpt.toString(), "serve", "--port", "0")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("GPT_BACKEND");
        pb.environment().remove("GPT_API_KEY");
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine(); // a first run may build the CLI
            Matcher m = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+) ").matcher(String.valueOf(first));
            assertTrue(m.find(), "first line: " + first);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(m.group(1) + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"CBABBC\",\"max_tokens\":6}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"text\":\"ABBBCC\""), r.body());
            curlStreamsServerSentEvents(m.group(1));
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gpt serve did not stop within 60 s of SIGTERM");
            assertEquals(0, p.exitValue());
            assertEquals("gpt: stopped", out.readLine());
        } finally {
            p.destroyForcibly();
        }
    }
}
