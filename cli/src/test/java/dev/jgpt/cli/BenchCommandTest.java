package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/**
 * {@code gpt bench} end to end on the smallest shapes (the nano-sort preset for prefill and decode, one rep): the JSON
 * is complete and self-consistent, and bad arguments are one-line errors. It checks what the command reports, not how
 * fast anything is (speed is never asserted by a test).
 */
class BenchCommandTest {
    /** Weights one nano-sort decode step reads, by hand: 3 × (12·48² + 13·48) + 2·48 + 3·48 (tied head), × 4 bytes. */
    private static final long NANO_SORT_WEIGHT_BYTES = 4L * (3 * (12 * 48 * 48 + 13 * 48) + 2 * 48 + 3 * 48);

    @Test
    void jsonReportsEveryFigureConsistently() {
        CliTest.Run r = CliTest.gpt("bench", "--backend", "plain", "--preset", "nano-sort", "--prompt-len", "3",
                "--new-tokens", "3", "--reps", "1", "--json");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(340_224L, NANO_SORT_WEIGHT_BYTES, "the hand count itself");
        assertEquals(NANO_SORT_WEIGHT_BYTES, o.get("weight_bytes_per_token").getAsLong());

        JsonObject bw = o.getAsJsonObject("bandwidth");
        JsonArray passes = bw.getAsJsonArray("passes_bytes_per_second");
        assertEquals(5, passes.size());
        double best = 0;
        for (int i = 0; i < passes.size(); i++) {
            assertTrue(passes.get(i).getAsDouble() > 0, "pass " + i);
            best = Math.max(best, passes.get(i).getAsDouble());
        }
        assertEquals(best, bw.get("best_bytes_per_second").getAsDouble(), 0.0, "best = the fastest pass");
        double limit = o.get("decode_limit_tokens_per_second").getAsDouble();
        assertEquals(best / NANO_SORT_WEIGHT_BYTES, limit, limit * 1e-12, "limit = bandwidth / bytes per token");

        JsonArray backends = o.getAsJsonArray("backends");
        assertEquals(1, backends.size());
        JsonObject plain = backends.get(0).getAsJsonObject();
        assertEquals("plain", plain.get("backend").getAsString());
        assertFalse(plain.has("error"), plain.toString());
        for (String figure : new String[] {"sorts_per_second", "prefill_tokens_per_second",
            "decode_tokens_per_second"}) {
            JsonObject s = plain.getAsJsonObject(figure);
            double min = s.get("min").getAsDouble();
            double median = s.get("median").getAsDouble();
            double max = s.get("max").getAsDouble();
            assertTrue(min > 0 && min <= median && median <= max, figure + ": " + s);
        }
        JsonObject together = plain.getAsJsonObject("concurrent_decode_tokens_per_second");
        for (String n : new String[] {"1", "4", "16"}) {
            JsonObject s = together.getAsJsonObject(n);
            assertTrue(s != null && s.get("min").getAsDouble() > 0
                    && s.get("min").getAsDouble() <= s.get("median").getAsDouble()
                    && s.get("median").getAsDouble() <= s.get("max").getAsDouble(), n + " sequences: " + together);
        }
        double decode = plain.getAsJsonObject("decode_tokens_per_second").get("median").getAsDouble();
        assertEquals(decode / limit, plain.get("decode_fraction_of_limit").getAsDouble(), 1e-12 * decode / limit);
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        CliTest.gpt("bench", "--reps", "0").assertOneLineError(3, "--reps");
        CliTest.gpt("bench", "--preset", "nano-sort", "--prompt-len", "10", "--new-tokens", "5")
                .assertOneLineError(3, "11-position context");
        CliTest.gpt("bench", "--preset", "gpt5").assertOneLineError(2, "gpt5", "nano-sort"); // a usage error
        CliTest.gpt("bench", "--backend", "nope").assertOneLineError(5, "nope", "plain");
        CliTest.gpt("bench", "--dtype", "f32,q6_k").assertOneLineError(2, "q6_k", "q8_0");
    }

    @Test
    void dtypeTablesOneRowPerDtypeInTheOrderGiven() {
        CliTest.Run r = CliTest.gpt("bench", "--backend", "plain", "--preset", "nano-sort", "--prompt-len", "3",
                "--new-tokens", "3", "--reps", "1", "--dtype", "Q8_0,f16,q8_0");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        int q8 = out.indexOf("| plain | Q8_0 |");
        int f16 = out.indexOf("| plain | F16 |");
        assertTrue(q8 > 0 && f16 > q8, out);
        assertEquals(q8, out.lastIndexOf("| plain | Q8_0 |"), "a repeated dtype runs once: " + out);
        assertTrue(out.contains("decode / limit") && out.contains("RSS generating"), out);
    }
}
