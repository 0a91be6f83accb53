package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, pointed at the server with its base URL: completions, streaming, logprobs, errors. */
class OpenAiSdkTest {
    static TestServer s;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        s = new TestServer(o -> o.withApiKey("sdk-key"));
        client = client("sdk-key");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        client.close();
        s.close();
    }

    static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(s.server.uri() + "/v1").apiKey(key).maxRetries(0).build();
    }

    static CompletionCreateParams.Builder sort() {
        return CompletionCreateParams.builder().model("jgpt-sort").prompt("CBABBC").maxTokens(6);
    }

    @Test
    void completion() {
        Completion c = client.completions().create(sort().build());
        assertEquals("jgpt-sort", c.model());
        assertEquals(1, c.choices().size());
        assertEquals("ABBBCC", c.choices().get(0).text());
        assertEquals(CompletionChoice.FinishReason.LENGTH, c.choices().get(0).finishReason());
        assertEquals(12, c.usage().orElseThrow().totalTokens());
    }

    @Test
    void streaming() {
        try (StreamResponse<Completion> stream = client.completions().createStreaming(sort().build())) {
            List<Completion> chunks = stream.stream().collect(Collectors.toList());
            assertEquals(6, chunks.size());
            assertEquals("ABBBCC", chunks.stream().map(c -> c.choices().get(0).text()).collect(Collectors.joining()));
            assertEquals(CompletionChoice.FinishReason.LENGTH, chunks.get(5).choices().get(0).finishReason());
        }
    }

    @Test
    void logprobsAndSeededSampling() {
        CompletionCreateParams p = sort().logprobs(2).temperature(20.0).seed(5L).build();
        Completion a = client.completions().create(p);
        Completion b = client.completions().create(p);
        CompletionChoice.Logprobs lp = a.choices().get(0).logprobs().orElseThrow();
        assertEquals(6, lp.tokens().orElseThrow().size());
        assertEquals(6, lp.tokenLogprobs().orElseThrow().size());
        assertEquals(6, lp.topLogprobs().orElseThrow().size());
        assertTrue(lp.tokenLogprobs().orElseThrow().get(0) <= 0);
        assertEquals(a.choices().get(0).text(), b.choices().get(0).text());
        assertEquals(lp.tokenLogprobs(), b.choices().get(0).logprobs().orElseThrow().tokenLogprobs());
    }

    @Test
    void errors() {
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> client.completions().create(sort().maxTokens(7).build()));
        assertEquals(400, e.statusCode());
        assertEquals("max_tokens", e.param().orElseThrow());
        assertEquals("context_length_exceeded", e.code().orElseThrow());
        OpenAIClient wrong = client("not-the-key");
        try {
            assertThrows(UnauthorizedException.class, () -> wrong.completions().create(sort().build()));
        } finally {
            wrong.close();
        }
    }
}
