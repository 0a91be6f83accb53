package dev.jgpt.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jgpt.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gpt batch} as a user runs it (in this JVM, on an embedded local Spark of two cores): inputs in each format,
 * results in each format and in input order, sorted by the sort model; bad input, existing output and failed jobs.
 */
class BatchCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run gpt(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** The part files' lines, in part order (each part holds a range of rows, in order). */
    private static List<String> lines(Path output, String extension) throws IOException {
        List<String> all = new ArrayList<>();
        try (Stream<Path> parts = Files.list(output)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")
                    && p.toString().endsWith(extension)).sorted().toList()) {
                all.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
        }
        return all;
    }

    private static String sorted(String s) {
        char[] c = s.toCharArray();
        java.util.Arrays.sort(c);
        return new String(c);
    }

    /**
     * 1,000 six-letter prompts from a text file: 1,000 results in input order, each the prompt's letters sorted (the
     * sort model gets every one right; the oracle is Arrays.sort), and stderr holds gpt's progress line only.
     */
    @Test
    void sortsAThousandPromptsInOrder() throws IOException {
        Random r = new Random(3);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 6; j++) {
                b.append((char) ('A' + r.nextInt(3)));
            }
            prompts.add(b.toString());
        }
        Path in = Files.write(dir.resolve("sorts.txt"), prompts, StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        Run run = gpt("batch", "--input", in.toString(), "--output", out.toString(), "--master", "local[2]");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().startsWith("gpt: batch: 1,000/1,000 rows, 6,000 tokens"), run.err());
        assertEquals(1, run.err().strip().lines().count(), "stderr: " + run.err());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        List<String> lines = lines(out, ".json");
        assertEquals(1000, lines.size());
        for (int i = 0; i < 1000; i++) {
            JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            assertEquals(i, o.get("row").getAsLong(), "rows in input order");
            assertEquals(prompts.get(i), o.get("prompt").getAsString());
            assertEquals(sorted(prompts.get(i)), o.get("completion").getAsString(), "row " + i);
            assertEquals("length", o.get("finish_reason").getAsString());
            assertEquals(6, o.get("completion_tokens").getAsInt());
            assertNull(o.get("error"));
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
                    "no hidden folder left beside the output");
        }
    }

    /**
     * JSONL with ids, own ids and seeds, a malformed line and a bad row: every line once, the bad ones with their
     * error; the text output has one line per row in order, a failed row as an empty line.
     */
    @Test
    void jsonlRowsKeepTheirIdsAndErrors() throws IOException {
        Path in = Files.writeString(dir.resolve("p.jsonl"), String.join("\n",
                "{\"prompt\": [2, 1, 0, 1, 1, 2], \"id\": \"a\", \"seed\": 5}",
                "{\"prompt\": [2, 2, 0], \"id\": 17}",
                "not json",
                "",
                "{\"prompt\": [9]}",
                "{\"prompt\": \"CBA\"}",
                "{\"prompt\": [0, 1, 2, 0, 1, 2]}") + "\n");
        Path out = dir.resolve("out");
        Run run = gpt("batch", "--input", in.toString(), "--output", out.toString(), "--master", "local[2]",
                "--partitions", "3");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("3 failed (see their error column)"), run.err());
        List<JsonObject> rows = lines(out, ".json").stream().map(l -> JsonParser.parseString(l).getAsJsonObject())
                .toList();
        assertEquals(List.of(0L, 1L, 2L, 4L, 5L, 6L), rows.stream().map(o -> o.get("row").getAsLong()).toList(),
                "every line but the blank one, once, in order");
        assertEquals("a", rows.get(0).get("id").getAsString());
        assertEquals("ABBBCC", rows.get(0).get("completion").getAsString());
        assertEquals("17", rows.get(1).get("id").getAsString());
        assertTrue(rows.get(2).get("error").getAsString().startsWith("line 3 is not valid JSON"),
                rows.get(2).toString());
        assertTrue(rows.get(3).get("error").getAsString().contains("9"), rows.get(3).toString());
        assertTrue(rows.get(4).get("error").getAsString().contains("same kind"), rows.get(4).toString());
        assertEquals("AABBCC", rows.get(5).get("completion").getAsString());

        Path text = dir.resolve("text");
        Run t = gpt("batch", "--input", in.toString(), "--output", text.toString(), "--format", "text",
                "--master", "local[2]");
        assertEquals(0, t.exit(), t.err());
        assertEquals(List.of("ABBBCC", "AC", "", "", "", "AABBCC").size(), lines(text, ".txt").size());
        assertEquals("ABBBCC", lines(text, ".txt").get(0));
        assertEquals("", lines(text, ".txt").get(2));
    }

    /** Parquet in and out; an existing output is kept unless --force, and then replaced whole. */
    @Test
    void parquetAndAnExistingOutput() throws IOException {
        Path in = Files.write(dir.resolve("sorts.txt"), List.of("CBACBA", "BBACCA", "CCCAAB"),
                StandardCharsets.UTF_8);
        Path pq = dir.resolve("pq");
        assertEquals(0, gpt("batch", "--input", in.toString(), "--output", pq.toString(), "--format", "parquet",
                "--master", "local[2]").exit());
        // the results as the next job's input (a Parquet folder with a 'prompt' column)
        Path out = dir.resolve("out");
        Run first = gpt("batch", "--input", pq.toString(), "--input-format", "parquet", "--output", out.toString(),
                "--master", "local[2]", "--max-new-tokens", "2");
        assertEquals(0, first.exit(), first.err());
        List<String> before = lines(out, ".json");
        assertEquals(3, before.size());
        // rows are numbered as Spark reads the folder's part files (largest first), so find the prompt
        assertEquals(1, before.stream().filter(l -> l.contains("\"prompt\":\"CBACBA\",\"completion\":\"AA\""))
                .count(), before.toString());

        Run refused = gpt("batch", "--input", in.toString(), "--output", out.toString(), "--master", "local[2]");
        assertEquals(6, refused.exit());
        assertEquals("gpt: " + out + " already exists; pass --force to replace it, or choose another --output",
                refused.err().strip());
        assertEquals(before, lines(out, ".json"), "the existing output is untouched");

        Run forced = gpt("batch", "--input", in.toString(), "--output", out.toString(), "--master", "local[2]",
                "--force");
        assertEquals(0, forced.exit(), forced.err());
        List<String> after = lines(out, ".json");
        assertEquals(3, after.size());
        assertTrue(after.get(0).contains("\"completion\":\"AABBCC\""), after.get(0));
    }

    /** Bad input and a failed job: one line each, their exit codes, and nothing left behind. */
    @Test
    void badInputAndFailedJobs() throws IOException {
        Path in = Files.write(dir.resolve("p.txt"), List.of("CBA", "AXB"), StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        Run failed = gpt("batch", "--input", in.toString(), "--output", out.toString(), "--master", "local[2]",
                "--fail-on-error");
        assertEquals(3, failed.exit(), failed.err());
        assertEquals(1, failed.err().strip().lines().count(), failed.err());
        assertFalse(failed.err().contains("Exception"), failed.err());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(in), left.toList(), "no output and no hidden folder after a failed job");
        }
        assertEquals(3, gpt("batch", "--input", dir.resolve("none.txt").toString(), "--output", out.toString())
                .exit());
        Run master = gpt("batch", "--input", in.toString(), "--output", out.toString(), "--master", "nowhere");
        assertEquals(2, master.exit());
        assertTrue(master.err().startsWith("gpt: cannot start Spark with master nowhere"), master.err());
        assertEquals(3, gpt("batch", "--input", in.toString(), "--output", out.toString(), "--top-p", "2").exit());
        assertEquals(4, gpt("batch", "--input", in.toString(), "--output", out.toString(), "--model",
                dir.resolve("no-model").toString()).exit());
        assertEquals(5, gpt("batch", "--input", in.toString(), "--output", out.toString(), "--backend", "nope")
                .exit());
        assertFalse(Files.exists(out));
    }
}
