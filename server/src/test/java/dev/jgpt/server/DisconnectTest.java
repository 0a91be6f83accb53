package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A client that goes away mid-stream has its sequence cancelled and its KV cache blocks freed. */
class DisconnectTest {
    @Test
    void blocksComeBackWhenTheClientCloses() throws Exception {
        try (TestServer s = new TestServer(o -> o.withStepDelay(Duration.ofMillis(100)))) {
            String body = "{\"prompt\":\"CBABBC\",\"max_tokens\":6,\"stream\":true}";
            try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                int chunks = 0;
                for (String line; chunks < 2 && (line = in.readLine()) != null; ) {
                    if (line.contains("data: {")) {
                        chunks++;
                    }
                }
                assertEquals(2, chunks);
                assertEquals(1.0, s.metric("jgpt_kv_blocks_in_use"), "the sequence holds a block while it runs");
                assertEquals(1.0, s.metric("jgpt_requests_running"));
            }
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (s.metric("jgpt_kv_blocks_in_use") > 0 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertEquals(0.0, s.metric("jgpt_kv_blocks_in_use"));
            assertEquals(0.0, s.metric("jgpt_requests_running"));
            assertEquals(1.0, s.metric("jgpt_sequences_cancelled_total"));
            assertTrue(s.metric("jgpt_generation_tokens_total") < 6, "cancelled before its last token");
        }
    }
}
