package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A shutdown stops accepting, lets running requests finish within its deadline, and ends the rest with an error. */
class ShutdownTest {
    static final String STREAM = "{\"prompt\":\"CBABBC\",\"max_tokens\":6,\"stream\":true}";

    @Test
    void runningRequestsFinishAndNewOnesGet503() throws Exception {
        TestServer s = new TestServer(o -> o.withStepDelay(Duration.ofMillis(100)));
        CompletableFuture<HttpResponse<String>> running = LimitsTest.async(s, STREAM);
        LimitsTest.await(s, "jgpt_requests_running", 1);
        CompletableFuture<Boolean> clean = CompletableFuture.supplyAsync(() -> {
            try {
                return s.server.shutdown(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        TestServer.Reply health;
        do { // the shutdown has begun once health says so (the running request holds the port open)
            health = s.get("/health");
        } while (health.status() == 200 && System.nanoTime() < end);
        assertEquals(503, health.status(), health.body());
        assertEquals("shutting down", health.json().get("status").getAsString());
        TestServer.Reply late = s.post("/v1/completions", STREAM);
        assertEquals(503, late.status(), late.body());
        assertTrue(late.message().contains("shutting down"), late.message());
        HttpResponse<String> r = running.get();
        assertEquals(200, r.statusCode());
        List<String> events = TestServer.events(r.body());
        assertEquals(7, events.size(), r.body());
        assertEquals("[DONE]", events.get(6));
        assertTrue(events.get(5).contains("\"finish_reason\":\"length\""), events.get(5));
        assertTrue(clean.get());
    }

    @Test
    void pastTheDeadlineTheyEndWithAnErrorEvent() throws Exception {
        TestServer s = new TestServer(o -> o.withStepDelay(Duration.ofMillis(300)));
        CompletableFuture<HttpResponse<String>> running = LimitsTest.async(s, STREAM);
        CompletableFuture<HttpResponse<String>> whole = LimitsTest.async(s,
                "{\"prompt\":\"CBABBC\",\"max_tokens\":6}");
        LimitsTest.await(s, "jgpt_requests_running", 2);
        assertFalse(s.server.shutdown(Duration.ofMillis(200)));
        List<String> events = TestServer.events(running.get().body());
        assertEquals("[DONE]", events.get(events.size() - 1));
        String error = events.get(events.size() - 2);
        assertTrue(error.startsWith("{\"error\":") && error.contains("shut down"), error);
        HttpResponse<String> w = whole.get();
        assertEquals(503, w.statusCode(), w.body());
        assertTrue(w.body().contains("shut down"), w.body());
    }
}
