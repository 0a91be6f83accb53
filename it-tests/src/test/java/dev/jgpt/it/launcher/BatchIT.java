package dev.jgpt.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's acceptance as a user runs it: {@code ./gpt batch --input <1,000 sort prompts> --output DIR --master
 * local[2]} writes 1,000 sorted results, with only gpt's progress line on stderr (no JVM, Spark or Hadoop warning) on
 * the JDK these tests run on; and the CLI that {@code ./gpt sort} runs has no Spark on its class path.
 */
class BatchIT {
    private static final Path THIS_JDK = Path.of(System.getProperty("java.home"));
    private static final Path ROOT = Path.of(System.getProperty("jgpt.root", ".")).toAbsolutePath().normalize();
    private static final Pattern COMPLETION = Pattern.compile("\"row\":(\\d+),\"prompt\":\"([ABC]+)\","
            + "\"completion\":\"([ABC]*)\"");

    @TempDir
    Path dir;

    @Test
    void aThousandSortPromptsOnLocalSpark() throws Exception {
        Random r = new Random(15);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 6; j++) {
                b.append("ABC".charAt(r.nextInt(3)));
            }
            prompts.add(b.toString());
        }
        Path in = Files.write(dir.resolve("sorts.txt"), prompts, StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("gpt").toString(), "batch", "--input",
                in.toString(), "--output", out.toString(), "--master", "local[2]")
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeAll(List.of("GPT_BACKEND", "GPT_JAVA", "JAVA_OPTS"));
        pb.environment().put("JAVA_HOME", THIS_JDK.toString());
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("./gpt batch did not finish in 600 s");
        }
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), stderr);
        assertEquals("", Files.readString(dir.resolve("stdout.txt")));
        assertEquals(1, stderr.lines().count(), "stderr on Java " + Runtime.version() + ":\n" + stderr);
        assertTrue(stderr.startsWith("gpt: batch: 1,000/1,000 rows, 6,000 tokens"), stderr);

        int seen = 0;
        try (Stream<Path> parts = Files.list(out)) {
            for (Path part : parts.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
                    Matcher m = COMPLETION.matcher(line);
                    assertTrue(m.find(), line);
                    int row = Integer.parseInt(m.group(1));
                    assertEquals(prompts.get(row), m.group(2));
                    char[] sorted = m.group(2).toCharArray();
                    java.util.Arrays.sort(sorted);
                    assertEquals(new String(sorted), m.group(3), "row " + row);
                    seen++;
                }
            }
        }
        assertEquals(1000, seen);
    }

    /** Spark is not on the class path of gpt sort, generate or serve: the CLI's lib folder holds none of it. */
    @Test
    void theCliDoesNotCarrySpark() throws IOException {
        Path lib = ROOT.resolve("cli/target/lib");
        assertTrue(Files.isDirectory(lib), lib + " is missing");
        try (Stream<Path> jars = Files.list(lib)) {
            List<String> spark = jars.map(j -> j.getFileName().toString())
                    .filter(n -> n.startsWith("spark-") || n.startsWith("scala-") || n.startsWith("hadoop-")
                            || n.startsWith("jgpt-spark"))
                    .toList();
            assertEquals(List.of(), spark);
        }
    }
}
