package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** {@code GET /walkthrough}: gpt viz's page for a prompt, and the playground's link to it. */
class WalkthroughRouteTest extends OneServerPerClass {

    @Test
    void thePageOfASortShowsItsRunInside() {
        TestServer.Reply r = s.get("/walkthrough?prompt=CBABBC");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.body().startsWith("<!DOCTYPE html>"), r.body().substring(0, Math.min(80, r.body().length())));
        assertTrue(r.body().contains("jgpt walkthrough: CBABBC → ABBBCC"), "the title names the prompt and the run");
        assertTrue(r.body().contains("{\"model\":{\"name\":\"jgpt-sort\""), "the page's data names the model");
    }

    @Test
    void aBadPromptIsA400NamingIt() {
        for (String[] c : new String[][] {
            {"/walkthrough", "give the prompt to walk through"},
            {"/walkthrough?prompt=", "give the prompt to walk through"},
            {"/walkthrough?prompt=CBAX", "is not in the vocabulary"},
            {"/walkthrough?prompt=CBA", "this model sorts exactly 6"},
        }) {
            TestServer.Reply r = s.get(c[0]);
            assertEquals(400, r.status(), c[0] + ": " + r.body());
            JsonObject e = r.json().getAsJsonObject("error");
            assertEquals("prompt", e.get("param").getAsString(), c[0]);
            assertTrue(e.get("message").getAsString().contains(c[1]), c[0] + ": " + e);
        }
    }

    @Test
    void thePlaygroundLinksToTheWalkthroughOfItsPrompt() {
        TestServer.Reply r = s.get("/");
        assertEquals(200, r.status());
        assertTrue(r.body().contains("href=\"/walkthrough?prompt=CBABBC\""), "the link for the default prompt");
        assertTrue(r.body().contains("'/walkthrough?prompt=' + encodeURIComponent("), "kept up with the prompt");
    }
}
