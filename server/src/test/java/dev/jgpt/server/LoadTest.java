package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * 32 streaming clients × 8 requests of mixed prompts, lengths and seeds at once: none is lost, every stream ends
 * with {@code [DONE]}, and every answer (text, token log-probabilities, alternatives) is the one the same request
 * gets alone: batch invariance through the whole server, on the plain backend.
 */
class LoadTest {
    static final int CLIENTS = 32;
    static final int PER_CLIENT = 8;

    /** What one streamed answer came to: its text, its logprobs chunks in order, and how it ended. */
    record Answer(String text, List<String> logprobs, String finish, boolean done) {
    }

    @Test
    void everySeededStreamEqualsTheSameRequestAlone() throws Exception {
        try (TestServer s = new TestServer()) {
            List<String> bodies = requests(new SplittableRandom(42));
            List<Answer> alone = new ArrayList<>();
            for (String b : bodies) {
                alone.add(stream(s, b));
            }
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<List<Answer>>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int first = c * PER_CLIENT;
                    clients.add(pool.submit(() -> {
                        List<Answer> out = new ArrayList<>();
                        for (int i = first; i < first + PER_CLIENT; i++) {
                            out.add(stream(s, bodies.get(i)));
                        }
                        return out;
                    }));
                }
                int checked = 0;
                for (int c = 0; c < CLIENTS; c++) {
                    List<Answer> got = clients.get(c).get();
                    for (int i = 0; i < PER_CLIENT; i++) {
                        Answer a = got.get(i);
                        Answer want = alone.get(c * PER_CLIENT + i);
                        String what = bodies.get(c * PER_CLIENT + i);
                        assertTrue(a.done(), "no [DONE]: " + what);
                        assertEquals(want, a, what);
                        checked++;
                    }
                }
                assertEquals(CLIENTS * PER_CLIENT, checked);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0.0, s.metric("jgpt_kv_blocks_in_use"));
            assertTrue(s.metric("jgpt_batch_size_bucket{le=\"1.0\"}") < s.metric("jgpt_batch_size_count"),
                    "some steps ran more than one sequence (continuous batching)");
        }
    }

    /** Prompts of 1 to 6 letters, each with as many tokens as the context allows or fewer; greedy or seeded. */
    static List<String> requests(SplittableRandom rnd) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < CLIENTS * PER_CLIENT; i++) {
            int length = 1 + rnd.nextInt(6);
            StringBuilder prompt = new StringBuilder();
            for (int j = 0; j < length; j++) {
                prompt.append((char) ('A' + rnd.nextInt(3)));
            }
            int maxTokens = 1 + rnd.nextInt(12 - length);
            String sampling = rnd.nextInt(4) == 0 ? "" : ",\"temperature\":" + (5 + rnd.nextInt(30)) + ",\"seed\":"
                    + rnd.nextLong();
            out.add("{\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens + sampling
                    + ",\"logprobs\":2,\"stream\":true}");
        }
        return out;
    }

    static Answer stream(TestServer s, String body) {
        TestServer.Reply r = s.post("/v1/completions", body);
        assertEquals(200, r.status(), r.body());
        List<String> events = TestServer.events(r.body());
        StringBuilder text = new StringBuilder();
        List<String> logprobs = new ArrayList<>();
        String finish = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonArray choices = JsonParser.parseString(e).getAsJsonObject().getAsJsonArray("choices");
            JsonObject c = choices.get(0).getAsJsonObject();
            text.append(c.get("text").getAsString());
            logprobs.add(c.get("logprobs").toString());
            if (!c.get("finish_reason").isJsonNull()) {
                finish = c.get("finish_reason").getAsString();
            }
        }
        return new Answer(text.toString(), logprobs, finish, events.get(events.size() - 1).equals("[DONE]"));
    }
}
