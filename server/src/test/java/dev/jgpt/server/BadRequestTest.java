package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refused request gets OpenAI's error object, with the field it is about, and never a stack trace. */
class BadRequestTest extends OneServerPerClass {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"prompt\":\"CBABBC\",\"max_tokens\":\"6\"}|max_tokens|whole number",
        "{\"prompt\":\"CBABBC\",\"max_tokens\":1.5}|max_tokens|whole number",
        "{\"prompt\":\"CBABBC\",\"max_tokens\":-1}|max_tokens|0 or more",
        "{\"prompt\":\"CBABBC\",\"max_tokens\":7}|max_tokens|context of 11",
        "{\"prompt\":\"CBABBCABCABC\"}|prompt|at most 11",
        "{\"prompt\":\"CBXBBC\"}|prompt|not in the vocabulary",
        "{\"prompt\":[2,1,7]}|prompt|outside the vocabulary",
        "{\"prompt\":[2,\"B\"]}|prompt|whole number",
        "{\"prompt\":\"\"}|prompt|empty prompt",
        "{\"prompt\":[]}|prompt|empty array",
        "{\"prompt\":7}|prompt|string or an array",
        "{}|prompt|required",
        "{\"prompt\":\"AB\",\"temperature\":\"hot\"}|temperature|number",
        "{\"prompt\":\"AB\",\"temperature\":101}|temperature|[0, 100]",
        "{\"prompt\":\"AB\",\"top_p\":0}|top_p|(0, 1]",
        "{\"prompt\":\"AB\",\"top_p\":1.5}|top_p|[0, 1]",
        "{\"prompt\":\"AB\",\"top_k\":-2}|top_k|-1 or more",
        "{\"prompt\":\"AB\",\"seed\":\"x\"}|seed|whole number",
        "{\"prompt\":\"AB\",\"n\":0}|n|between 1 and 64",
        "{\"prompt\":\"AB\",\"logprobs\":6}|logprobs|between 0 and 5",
        "{\"prompt\":\"AB\",\"echo\":\"yes\"}|echo|true or false",
        "{\"prompt\":\"AB\",\"stream\":1}|stream|true or false",
        "{\"prompt\":\"AB\",\"stop\":[1]}|stop|array of strings",
        "{\"prompt\":\"AB\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}|stop|at most 4",
        "{\"prompt\":\"AB\",\"stream_options\":3}|stream_options|object",
        "{\"prompt\":\"AB\",\"model\":3}|model|string",
    })
    void refusedWithTheFieldNamed(String body, String param, String says) {
        TestServer.Reply r = s.post("/v1/completions", body);
        assertEquals(400, r.status(), r.body());
        JsonObject e = r.json().getAsJsonObject("error");
        assertEquals("invalid_request_error", e.get("type").getAsString());
        assertEquals(param, e.get("param").getAsString(), r.body());
        assertTrue(r.message().contains(says), r.message());
        assertTrue(e.has("code"));
        assertOneLineWithoutJava(r.message());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"prompt\":", "[1,2]", "\"text\"", "{\"prompt\":\"AB\"} x", "nul"})
    void malformedJson(String body) {
        TestServer.Reply r = s.post("/v1/completions", body);
        assertEquals(400, r.status(), r.body());
        assertTrue(r.message().contains("JSON"), r.message());
        assertTrue(r.json().getAsJsonObject("error").get("param").isJsonNull());
    }

    @Test
    void chatCompletionsExplainsThereIsNoChatTemplate() {
        TestServer.Reply r = s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, r.status());
        assertTrue(r.message().contains("no chat template"), r.message());
        assertTrue(r.message().contains("/v1/completions"), r.message());
    }

    @Test
    void unknownRoutesAndWrongMethods() {
        TestServer.Reply r = s.get("/v1/nothing");
        assertEquals(404, r.status());
        assertTrue(r.message().contains("/v1/completions"), r.message());
        TestServer.Reply m = s.get("/v1/completions");
        assertEquals(405, m.status());
        assertTrue(m.message().contains("POST"), m.message());
    }

    static void assertOneLineWithoutJava(String message) {
        assertFalse(message.contains("\n"), message);
        assertFalse(message.matches(".*\\b(java|dev\\.jgpt|com\\.google)\\.[a-z].*"), message);
        assertFalse(message.contains("Exception"), message);
    }
}
