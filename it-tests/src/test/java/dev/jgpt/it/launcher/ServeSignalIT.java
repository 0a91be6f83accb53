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

/** {@code ./gpt serve} answers, and SIGTERM sent to the launcher stops it cleanly with exit code 0. */
class ServeSignalIT {
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
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gpt serve did not stop within 60 s of SIGTERM");
            assertEquals(0, p.exitValue());
            assertEquals("gpt: stopped", out.readLine());
        } finally {
            p.destroyForcibly();
        }
    }
}
