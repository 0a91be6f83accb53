package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/completions} without streaming, {@code /v1/models}, {@code /health}, over real HTTP. */
class CompletionsTest extends OneServerPerClass {
    @Test
    void sortsLikeTheCli() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":6}");
        assertEquals(200, r.status(), r.body());
        assertEquals("ABBBCC", r.text(0));
        JsonObject o = r.json();
        assertEquals("text_completion", o.get("object").getAsString());
        assertEquals("jgpt-sort", o.get("model").getAsString());
        assertTrue(o.get("id").getAsString().startsWith("cmpl-"));
        JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals("length", c.get("finish_reason").getAsString());
        assertTrue(c.get("logprobs").isJsonNull());
        JsonObject u = o.getAsJsonObject("usage");
        assertEquals(6, u.get("prompt_tokens").getAsInt());
        assertEquals(6, u.get("completion_tokens").getAsInt());
        assertEquals(12, u.get("total_tokens").getAsInt());
    }

    @Test
    void tokenIdsAndBatchesOfStrings() {
        TestServer.Reply ids = s.post("/v1/completions", "{\"prompt\":[2,1,0,1,1,2],\"max_tokens\":6}");
        assertEquals("ABBBCC", ids.text(0));
        TestServer.Reply batch = s.post("/v1/completions",
                "{\"prompt\":[\"CBABBC\",\"CCBAAA\"],\"max_tokens\":6,\"n\":2}");
        assertEquals(200, batch.status(), batch.body());
        JsonArray choices = batch.json().getAsJsonArray("choices");
        assertEquals(4, choices.size());
        String[] want = {"ABBBCC", "ABBBCC", "AAABCC", "AAABCC"};
        for (int i = 0; i < 4; i++) {
            assertEquals(i, choices.get(i).getAsJsonObject().get("index").getAsInt());
            assertEquals(want[i], batch.text(i));
        }
        assertEquals(12, batch.json().getAsJsonObject("usage").get("prompt_tokens").getAsInt());
        assertEquals(24, batch.json().getAsJsonObject("usage").get("completion_tokens").getAsInt());
    }

    @Test
    void defaultMaxTokensIsWhatTheContextLeavesAndEchoPrependsThePrompt() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"echo\":true,\"unknown\":[1]}");
        assertEquals(200, r.status(), r.body());
        assertEquals("CBABBCABBBCC", r.text(0));
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsDiffer() {
        String body = "{\"prompt\":\"ABC\",\"max_tokens\":8,\"temperature\":20,\"seed\":%d,\"logprobs\":2}";
        TestServer.Reply a = s.post("/v1/completions", String.format(body, 7));
        TestServer.Reply b = s.post("/v1/completions", String.format(body, 7));
        assertEquals(200, a.status(), a.body());
        assertEquals(a.json().get("choices"), b.json().get("choices"));
        boolean differs = false;
        for (int seed = 8; seed < 16 && !differs; seed++) {
            differs = !s.post("/v1/completions", String.format(body, seed)).text(0).equals(a.text(0));
        }
        assertTrue(differs, "eight other seeds all gave " + a.text(0));
        JsonObject lp = a.json().getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("logprobs");
        assertEquals(8, lp.getAsJsonArray("tokens").size());
        assertEquals(8, lp.getAsJsonArray("token_logprobs").size());
        JsonObject top = lp.getAsJsonArray("top_logprobs").get(0).getAsJsonObject();
        assertTrue(top.size() >= 2 && top.size() <= 3, top.toString());
        assertTrue(lp.getAsJsonArray("token_logprobs").get(0).getAsDouble() <= 0);
        assertEquals(0, lp.getAsJsonArray("text_offset").get(0).getAsInt());
        assertEquals(1, lp.getAsJsonArray("text_offset").get(1).getAsInt());
    }

    @Test
    void nChoicesOfOneSeededPromptDiffer() {
        TestServer.Reply r = s.post("/v1/completions",
                "{\"prompt\":\"A\",\"max_tokens\":10,\"temperature\":20,\"seed\":1,\"n\":4}");
        assertEquals(4, r.json().getAsJsonArray("choices").size());
        assertNotEquals(r.text(0) + r.text(1), r.text(2) + r.text(3));
    }

    @Test
    void stopStringsEndTheTextBeforeThem() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":6,\"stop\":[\"BC\"]}");
        assertEquals(200, r.status(), r.body());
        assertEquals("ABB", r.text(0));
        assertEquals("stop", r.json().getAsJsonArray("choices").get(0).getAsJsonObject().get("finish_reason")
                .getAsString());
    }

    @Test
    void modelsAndHealth() {
        TestServer.Reply m = s.get("/v1/models");
        assertEquals(200, m.status());
        JsonObject entry = m.json().getAsJsonArray("data").get(0).getAsJsonObject();
        assertEquals("jgpt-sort", entry.get("id").getAsString());
        assertEquals("model", entry.get("object").getAsString());
        TestServer.Reply h = s.get("/health");
        assertEquals(200, h.status());
        assertEquals("ok", h.json().get("status").getAsString());
    }
}
