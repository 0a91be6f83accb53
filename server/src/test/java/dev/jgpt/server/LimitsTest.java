package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Queue overflow (429), huge bodies (413) and the API key (401). */
class LimitsTest {
    @Test
    void pastTheQueueLimitIs429WithRetryAfterAndTheQueuedStillFinish() throws Exception {
        try (TestServer s = new TestServer(o -> o.withMaxBatch(1).withMaxQueue(2)
                .withStepDelay(Duration.ofMillis(250)))) {
            String body = "{\"prompt\":\"CBABBC\",\"max_tokens\":6}";
            List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
            accepted.add(async(s, body));
            await(s, "jgpt_requests_running", 1);
            accepted.add(async(s, body));
            accepted.add(async(s, body));
            await(s, "jgpt_requests_waiting", 2);
            TestServer.Reply refused = s.post("/v1/completions", body);
            assertEquals(429, refused.status(), refused.body());
            assertEquals("1", refused.raw().headers().firstValue("retry-after").orElse(null));
            assertTrue(refused.message().contains("--max-queue"), refused.message());
            assertEquals("rate_limit_error", refused.json().getAsJsonObject("error").get("type").getAsString());
            for (CompletableFuture<HttpResponse<String>> f : accepted) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"ABBBCC\""), r.body());
            }
        }
    }

    @Test
    void noStepRunsMoreTokensThanMaxStepTokensAndChunkingChangesNoAnswer() throws Exception {
        try (TestServer s = new TestServer(o -> o.withMaxBatch(2).withMaxStepTokens(2))) {
            String body = "{\"prompt\":\"CBABBC\",\"max_tokens\":6,\"logprobs\":2}";
            CompletableFuture<HttpResponse<String>> a = async(s, body);
            CompletableFuture<HttpResponse<String>> b = async(s, body);
            String alone;
            try (TestServer one = new TestServer()) { // the default step budget: the prompt in one step
                alone = one.post("/v1/completions", body).json().getAsJsonArray("choices").get(0).toString();
            }
            for (CompletableFuture<HttpResponse<String>> f : List.of(a, b)) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(alone, JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("choices").get(0).toString(), "chunked prefill changed the answer");
            }
            double steps = s.metric("jgpt_batch_tokens_count");
            assertEquals(steps, s.metric("jgpt_batch_tokens_bucket{le=\"2.0\"}"), "a step ran more than 2 tokens");
            assertTrue(steps >= 6, "two prompts of 6 tokens or more, 2 tokens a step: 6 steps or more, got " + steps);
        }
    }

    @Test
    void aBodyPastTheLimitIs413WithOrWithoutContentLength() throws Exception {
        try (TestServer s = new TestServer(o -> o.withMaxBodyBytes(1000))) {
            String big = "{\"prompt\":\"CBABBC\",\"pad\":\"" + "x".repeat(2000) + "\"}";
            TestServer.Reply declared = s.post("/v1/completions", big);
            assertEquals(413, declared.status());
            assertTrue(declared.message().contains("1000 bytes"), declared.message());
            HttpRequest chunked = HttpRequest.newBuilder(s.uri("/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes())))
                    .build();
            TestServer.Reply streamed = TestServer.send(chunked);
            assertEquals(413, streamed.status(), streamed.body());
            assertEquals(200, s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":6}").status());
        }
    }

    @Test
    void anApiKeyGuardsEveryV1Route() throws Exception {
        try (TestServer s = new TestServer(o -> o.withApiKey("s3cret-key"))) {
            String body = "{\"prompt\":\"CBABBC\",\"max_tokens\":6}";
            for (String[] headers : new String[][] {{}, {"Authorization", "Bearer wrong"},
                {"Authorization", "Bearer s3cret-ke"}, {"Authorization", "s3cret-key"}, {"Authorization", "Bearer "}}) {
                TestServer.Reply r = s.post("/v1/completions", body, headers);
                assertEquals(401, r.status(), String.join(" ", headers));
                assertEquals("invalid_api_key", r.json().getAsJsonObject("error").get("code").getAsString());
                assertEquals(401, s.get("/v1/models", headers).status());
            }
            TestServer.Reply ok = s.post("/v1/completions", body, "Authorization", "Bearer s3cret-key");
            assertEquals(200, ok.status());
            assertEquals("ABBBCC", ok.text(0));
            assertEquals(200, s.get("/v1/models", "Authorization", "bearer s3cret-key").status());
            assertEquals(200, s.get("/health").status(), "health needs no key");
        }
    }

    static CompletableFuture<HttpResponse<String>> async(TestServer s, String body) {
        return TestServer.CLIENT.sendAsync(HttpRequest.newBuilder(s.uri("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits (up to 5 s) until a metric has a value. */
    static void await(TestServer s, String metric, double value) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (s.metric(metric) != value) {
            if (System.nanoTime() > end) {
                throw new AssertionError(metric + " is " + s.metric(metric) + ", not " + value);
            }
            Thread.sleep(10);
        }
    }

}
