package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code echo} with {@code logprobs}: the prompt's tokens come first in the logprobs, the first with null (nothing
 * precedes it), each later one with its log-probability given the tokens before it — which must equal what the
 * server reports for that token when the prefix alone is the prompt (an independent path: a generated step).
 */
class EchoLogprobsTest extends OneServerPerClass {

    private static JsonObject logprobs(TestServer.Reply r) {
        return r.json().getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("logprobs");
    }

    /** The log-probability the server gives {@code next} as the first generated token after {@code prefix}. */
    private double generatedLogprob(String prefix, String next) {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"" + prefix + "\",\"max_tokens\":1,"
                + "\"logprobs\":5}");
        assertEquals(200, r.status(), r.body());
        JsonObject top = logprobs(r).getAsJsonArray("top_logprobs").get(0).getAsJsonObject();
        assertTrue(top.has(next), "the sort model's three letters are all in the top 5: " + top);
        return top.get(next).getAsDouble();
    }

    @Test
    void promptTokensGetTheirLogprobsBeforeTheGeneratedOnes() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":2,\"logprobs\":2,"
                + "\"echo\":true}");
        assertEquals(200, r.status(), r.body());
        assertEquals("CBABBCAB", r.text(0));
        JsonObject lp = logprobs(r);
        JsonArray tokens = lp.getAsJsonArray("tokens");
        JsonArray values = lp.getAsJsonArray("token_logprobs");
        assertEquals(8, tokens.size(), lp.toString());
        assertTrue(values.get(0).isJsonNull(), "the first prompt token has no log-probability");
        assertTrue(lp.getAsJsonArray("top_logprobs").get(0).isJsonNull());
        String prompt = "CBABBC";
        for (int i = 1; i < prompt.length(); i++) {
            assertEquals(String.valueOf(prompt.charAt(i)), tokens.get(i).getAsString());
            assertEquals(generatedLogprob(prompt.substring(0, i), String.valueOf(prompt.charAt(i))),
                    values.get(i).getAsDouble(), "prompt token " + i + ": bit-identical to the same token generated");
        }
        for (int i = 0; i < 8; i++) {
            assertEquals(i, lp.getAsJsonArray("text_offset").get(i).getAsInt(), "offsets run over prompt and output");
        }
    }

    @Test
    void noNewTokensOnlyScoresThePrompt() {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":0,\"logprobs\":1,"
                + "\"echo\":true}");
        assertEquals(200, r.status(), r.body());
        assertEquals("CBABBC", r.text(0));
        assertEquals(6, logprobs(r).getAsJsonArray("tokens").size());
        assertEquals(0, r.json().getAsJsonObject("usage").get("completion_tokens").getAsInt());
        assertEquals("length", r.json().getAsJsonArray("choices").get(0).getAsJsonObject().get("finish_reason")
                .getAsString());
    }

    @Test
    void streamedEchoCarriesThePromptsLogprobsInItsFirstChunk() {
        TestServer.Reply whole = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":3,\"logprobs\":1,"
                + "\"echo\":true}");
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"CBABBC\",\"max_tokens\":3,\"logprobs\":1,"
                + "\"echo\":true,\"stream\":true}");
        List<String> events = TestServer.events(r.body());
        assertEquals("[DONE]", events.get(events.size() - 1));
        JsonObject first = JsonParser.parseString(events.get(0)).getAsJsonObject().getAsJsonArray("choices").get(0)
                .getAsJsonObject();
        assertEquals("CBABBC", first.get("text").getAsString());
        JsonArray streamed = new JsonArray();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonObject lp = JsonParser.parseString(e).getAsJsonObject().getAsJsonArray("choices").get(0)
                    .getAsJsonObject().getAsJsonObject("logprobs");
            lp.getAsJsonArray("token_logprobs").forEach(streamed::add);
        }
        assertEquals(logprobs(whole).getAsJsonArray("token_logprobs"), streamed,
                "the streamed log-probabilities, prompt first, equal the whole reply's");
    }
}
