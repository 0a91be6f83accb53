package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code "stream": true}: OpenAI's server-sent events, one chunk per token, then {@code [DONE]}. */
class StreamingTest extends OneServerPerClass {
    static JsonObject json(String data) {
        return JsonParser.parseString(data).getAsJsonObject();
    }

    static JsonObject choice(String data) {
        return json(data).getAsJsonArray("choices").get(0).getAsJsonObject();
    }

    @Test
    void sixChunksThenDone() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":6,\"stream\":true}");
        assertEquals(200, r.status());
        assertTrue(r.raw().headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        List<String> events = TestServer.events(r.body());
        assertEquals(7, events.size(), r.body());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            JsonObject c = choice(events.get(i));
            assertEquals(1, c.get("text").getAsString().length());
            text.append(c.get("text").getAsString());
            assertEquals(i == 5 ? "length" : null, c.get("finish_reason").isJsonNull() ? null
                    : c.get("finish_reason").getAsString());
            assertFalse(json(events.get(i)).has("usage"), "usage only when asked");
            assertEquals("text_completion", json(events.get(i)).get("object").getAsString());
        }
        assertEquals("ABBBCC", text.toString());
        assertEquals("[DONE]", events.get(6));
    }

    @Test
    void usageChunkWhenAsked() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":3,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");
        List<String> events = TestServer.events(r.body());
        assertEquals(5, events.size(), r.body());
        for (int i = 0; i < 3; i++) {
            assertTrue(json(events.get(i)).get("usage").isJsonNull());
        }
        JsonObject last = json(events.get(3));
        assertEquals(0, last.getAsJsonArray("choices").size());
        assertEquals(6, last.getAsJsonObject("usage").get("prompt_tokens").getAsInt());
        assertEquals(3, last.getAsJsonObject("usage").get("completion_tokens").getAsInt());
        assertEquals(9, last.getAsJsonObject("usage").get("total_tokens").getAsInt());
    }

    @Test
    void severalChoicesInterleaveByIndexAndCarryTheirLogprobs() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":[\"CBABBC\",\"CCBAAA\"],\"max_tokens\":6,"
                + "\"stream\":true,\"logprobs\":1}");
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        int finished = 0;
        for (String e : TestServer.events(r.body())) {
            if (e.equals("[DONE]")) {
                continue;
            }
            JsonObject c = choice(e);
            texts[c.get("index").getAsInt()].append(c.get("text").getAsString());
            JsonObject lp = c.getAsJsonObject("logprobs");
            assertEquals(1, lp.getAsJsonArray("tokens").size());
            assertEquals(c.get("text").getAsString(), lp.getAsJsonArray("tokens").get(0).getAsString());
            assertTrue(lp.getAsJsonArray("token_logprobs").get(0).getAsDouble() < 0);
            finished += c.get("finish_reason").isJsonNull() ? 0 : 1;
        }
        assertEquals("ABBBCC", texts[0].toString());
        assertEquals("AAABCC", texts[1].toString());
        assertEquals(2, finished);
    }

    @Test
    void stopStringsAreNotStreamed() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":6,\"stream\":true,"
                + "\"stop\":\"BC\",\"echo\":true}");
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String e : TestServer.events(r.body())) {
            if (!e.equals("[DONE]")) {
                text.append(choice(e).get("text").getAsString());
                finish = choice(e).get("finish_reason").isJsonNull() ? finish
                        : choice(e).get("finish_reason").getAsString();
            }
        }
        assertEquals("CBABBCABB", text.toString());
        assertEquals("stop", finish);
    }
}
