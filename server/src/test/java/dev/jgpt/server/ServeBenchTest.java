package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code gpt bench-serve}'s load generator against a real server. */
class ServeBenchTest {
    @Test
    void measuresEveryConcurrencyLevel() throws Exception {
        try (TestServer s = new TestServer()) {
            ServeBench bench = new ServeBench(s.server.uri(), null, "CBABBC", 6);
            ServeBench.Result one = bench.run(1, 4);
            ServeBench.Result four = bench.run(4, 8);
            assertEquals(0, one.failed());
            assertEquals(0, four.failed());
            assertEquals(4 * 6, one.tokens());
            assertEquals(8 * 6, four.tokens());
            for (ServeBench.Result r : List.of(one, four)) {
                assertTrue(r.ttftP50() > 0 && r.ttftP99() >= r.ttftP50(), r.toString());
                assertTrue(r.itlP50() > 0 && r.itlP99() >= r.itlP50(), r.toString());
                assertTrue(r.tokensPerSecond() > 0, r.toString());
            }
            String[] lines = ServeBench.table(List.of(one, four)).split("\n");
            assertEquals(3, lines.length);
            assertTrue(lines[0].startsWith("concurrency requests failed  tokens/s"), lines[0]);
            assertTrue(lines[2].matches(" +4 +8 +0 +\\d+\\.\\d .*"), lines[2]);
        }
    }

    @Test
    void refusedRequestsCountAsFailed() throws Exception {
        try (TestServer s = new TestServer(o -> o.withApiKey("k"))) {
            ServeBench.Result r = new ServeBench(s.server.uri(), null, "CBABBC", 6).run(2, 3);
            assertEquals(3, r.failed());
            assertEquals(0, r.tokens());
            assertEquals(3, new ServeBench(s.server.uri(), "k", "CBABBC", 6).run(2, 3).requests());
            assertEquals(0, new ServeBench(s.server.uri(), "k", "CBABBC", 6).run(2, 3).failed());
        }
    }

    @Test
    void percentiles() {
        List<Double> v = List.of(5.0, 1.0, 3.0, 2.0, 4.0);
        assertEquals(3.0, ServeBench.percentile(v, 50));
        assertEquals(5.0, ServeBench.percentile(v, 99));
        assertEquals(1.0, ServeBench.percentile(v, 1));
    }
}
