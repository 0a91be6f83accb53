package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code /tokenize}, {@code /detokenize} and {@code /metrics}. */
class EndpointsTest extends OneServerPerClass {
    @Test
    void tokenizeAndDetokenize() {
        TestServer.Reply t = s.post("/tokenize", "{\"prompt\":\"CBA\"}");
        assertEquals(200, t.status(), t.body());
        assertEquals("[2,1,0]", t.json().get("tokens").toString());
        assertEquals(3, t.json().get("count").getAsInt());
        assertEquals(11, t.json().get("max_model_len").getAsInt());
        TestServer.Reply d = s.post("/detokenize", "{\"tokens\":[0,1,2,2]}");
        assertEquals(200, d.status(), d.body());
        assertEquals("ABCC", d.json().get("prompt").getAsString());
        assertEquals(400, s.post("/tokenize", "{\"prompt\":\"XYZ\"}").status());
        assertEquals(400, s.post("/tokenize", "{\"prompt\":[1]}").status());
        TestServer.Reply bad = s.post("/detokenize", "{\"tokens\":[0,3]}");
        assertEquals(400, bad.status());
        assertTrue(bad.message().contains("outside the vocabulary"), bad.message());
    }

    @Test
    void thePlaygroundIsOneSelfContainedPage() {
        TestServer.Reply r = s.get("/");
        assertEquals(200, r.status());
        assertTrue(r.raw().headers().firstValue("content-type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("fetch('/v1/completions'"), "it streams from this server");
        assertTrue(!r.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), "it loads nothing from elsewhere");
    }

    @Test
    void metricsCountTokensAndLatencies() {
        double prompt = s.metric("jgpt_prompt_tokens_total");
        double generated = s.metric("jgpt_generation_tokens_total");
        double firsts = s.metric("jgpt_time_to_first_token_seconds_count");
        assertEquals(200, s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":6}").status());
        assertEquals(prompt + 6, s.metric("jgpt_prompt_tokens_total"));
        assertEquals(generated + 6, s.metric("jgpt_generation_tokens_total"));
        assertEquals(firsts + 1, s.metric("jgpt_time_to_first_token_seconds_count"));
        assertTrue(s.metric("jgpt_inter_token_latency_seconds_count") >= 5);
        assertTrue(s.metric("jgpt_batch_size_count") >= 6);
        assertTrue(s.metric("jgpt_kv_blocks_total") >= 16);
        assertEquals(0.0, s.metric("jgpt_kv_blocks_in_use"));
        assertEquals(0.0, s.metric("jgpt_requests_running"));
        assertEquals(0.0, s.metric("jgpt_requests_waiting"));
        TestServer.Reply m = s.get("/metrics");
        assertTrue(m.raw().headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        assertTrue(m.body().contains("# TYPE jgpt_time_to_first_token_seconds histogram"), m.body());
        assertTrue(m.body().contains("jgpt_requests_total{code=\"200\"}"), m.body());
    }
}
