package dev.jgpt.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code ./gpt} launcher as a user runs it, in a child process: it adds the Vector API module and drops the one
 * warning line the JVM prints for it, and passes the flags its JDK needs to print nothing else (Java 24+), so stdout
 * holds only results and stderr only gpt's own one-line errors; exit codes pass through; stdin reaches the program.
 *
 * <p>The child runs on the JDK these tests run on ({@code JAVA_HOME} is set to this JVM's {@code java.home}), so
 * {@code JAVA_HOME=... mvn verify} tests the launcher on that JDK; {@link #eachInstalledJdkRunsWithAnEmptyStderr}
 * also runs it on every other JDK installed under {@code /usr/lib/jvm}, and stand-in JDKs (a release file and a
 * {@code bin/java} script that prints its arguments) check which flags each Java version gets.
 */
class LauncherIT {
    private static final long TIMEOUT_SECONDS = 300; // a first run may build the CLI
    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    private static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";
    private static final Path THIS_JDK = Path.of(System.getProperty("java.home"));
    private static Path gpt;

    /**
     * Finds the launcher and runs it once, so that a rebuild it decides on (it prints "gpt: building the CLI ..." on
     * stderr when a source or pom is newer than the jar) happens before the runs whose stderr is checked.
     */
    @BeforeAll
    static void findAndWarmUp() throws Exception {
        String root = System.getProperty("jgpt.root", ".");
        gpt = Path.of(root, "gpt").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(gpt), "the launcher is missing: " + gpt);
        Run warm = gpt(null, "--version");
        assertEquals(0, warm.exit(), "./gpt --version: " + warm.err());
    }

    /** stdout, stderr and exit code of one run. */
    private record Run(int exit, String out, String err) {
    }

    /** Runs {@code ./gpt} on this JVM's JDK. */
    private static Run gpt(String stdin, String... args) throws IOException, InterruptedException {
        return gptWith(Map.of("JAVA_HOME", THIS_JDK.toString()), stdin, args);
    }

    /**
     * Runs {@code ./gpt} with these environment variables set over the inherited ones, after removing those that
     * choose the backend or the Java ({@code GPT_BACKEND}, {@code GPT_JAVA}, {@code JAVA_HOME}, {@code JAVA_OPTS}).
     */
    private static Run gptWith(Map<String, String> env, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", gpt.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("gpt-out", ".txt");
        Path err = Files.createTempFile("gpt-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().keySet().removeAll(List.of("GPT_BACKEND", "GPT_JAVA", "JAVA_HOME", "JAVA_OPTS"));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("./gpt " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void sortPrintsOnlyTheAnswerAndNothingOnStderr() throws Exception {
        Run r = gpt(null, "sort", "CBABBC");
        assertEquals("", r.err(), "stderr of a successful run on Java " + Runtime.version()
                + " (the JVM's incubator warning must be dropped, and its other warnings avoided by flags)");
        assertEquals("ABBBCC\n", r.out());
        assertEquals(0, r.exit());
    }

    @Test
    void badInputIsOneLineOnStderrWithItsExitCode() throws Exception {
        Run r = gpt(null, "sort", "CBAXBC");
        assertEquals("gpt: 'X' at position 4 of \"CBAXBC\" is not in the vocabulary: use only A, B and C\n", r.err());
        assertEquals("", r.out());
        assertEquals(3, r.exit(), "exit code of an input outside the vocabulary");
    }

    @Test
    void stdinReachesTheProgram() throws Exception {
        Run r = gpt("CBABBC\nCCBAAA\n", "sort");
        assertEquals("ABBBCC\nAAABCC\n", r.out());
        assertEquals("", r.err());
        assertEquals(0, r.exit());
    }

    @Test
    void theVectorBackendIsAvailableAndSelectedByRank() throws Exception {
        Run r = gpt(null, "backends");
        assertEquals(0, r.exit(), r.err());
        String vectorRow = r.out().lines().filter(l -> l.startsWith("vector ")).findFirst().orElse("");
        assertTrue(vectorRow.contains(" yes "), "vector must be available under ./gpt:\n" + r.out());
        assertTrue(r.out().contains("selected: vector (by best rank)"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void anUnknownBackendExitsFiveNamingTheAvailableOnes() throws Exception {
        Run r = gpt(null, "sort", "CBABBC", "--backend", "nope");
        assertEquals(5, r.exit());
        assertEquals("gpt: unknown backend 'nope'; available: vector, plain, nd4j\n", r.err());
    }

    @Test
    void theLauncherRunsTheJdkTheTestsRunOn() throws Exception {
        Run r = gpt(null, "--version");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertEquals("jgpt 0.1.0", lines.get(0));
        assertEquals("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                + THIS_JDK.toRealPath() + ")", lines.get(1));
    }

    /** The JDKs installed side by side in {@code /usr/lib/jvm} (Debian's layout), once each, and this one. */
    static Stream<Path> installedJdks() throws IOException {
        Set<Path> jdks = new LinkedHashSet<>();
        jdks.add(THIS_JDK.toRealPath());
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                for (Path d : dirs.sorted().toList()) {
                    if (Files.isExecutable(d.resolve("bin/java")) && Files.isRegularFile(d.resolve("release"))
                            && feature(Files.readString(d.resolve("release"))) >= 17) {
                        jdks.add(d.toRealPath());
                    }
                }
            }
        }
        return jdks.stream();
    }

    /** The feature version in a release file's {@code JAVA_VERSION="25.0.3"} line; 0 when there is none. */
    private static int feature(String release) {
        return release.lines().filter(l -> l.startsWith("JAVA_VERSION=")).findFirst()
                .map(l -> l.replaceAll("^JAVA_VERSION=\"?(1\\.)?(\\d+).*$", "$2"))
                .filter(v -> v.matches("\\d+")).map(Integer::parseInt).orElse(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void eachInstalledJdkRunsWithAnEmptyStderr(Path jdk) throws Exception {
        // backends probes every backend, ND4J's natives (JNI, sun.misc.Unsafe) included; sort runs a model
        Run r = gptWith(Map.of("JAVA_HOME", jdk.toString()), null, "backends");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err(), "stderr of ./gpt backends on " + jdk);
        assertTrue(r.out().contains("selected: vector (by best rank)"), r.out());
        Run sort = gptWith(Map.of("JAVA_HOME", jdk.toString()), null, "sort", "CBABBC");
        assertEquals("", sort.err(), "stderr of ./gpt sort on " + jdk);
        assertEquals("ABBBCC\n", sort.out());
    }

    /**
     * A stand-in JDK: a release file with this {@code JAVA_VERSION} (none when null) that lists the Vector API module,
     * and a {@code bin/java} that prints each argument on its own line, or a {@code java -version} banner.
     */
    private static Path fakeJdk(Path dir, String version) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        if (version != null) {
            Files.writeString(dir.resolve("release"), "IMPLEMENTOR=\"stand-in\"\nJAVA_VERSION=\"" + version + "\"\n"
                    + "MODULES=\"java.base jdk.incubator.vector\"\n");
        }
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n"
                + "if [ \"$1\" = -version ]; then echo 'openjdk version \"25.0.1\" 2025-10-21' >&2; exit 0; fi\n"
                + "printf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** The JVM arguments the launcher gives a stand-in JDK, before {@code -jar}. */
    private static List<String> jvmArgs(Run r) {
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        List<String> args = r.out().lines().toList();
        assertTrue(args.contains("-jar"), r.out());
        return args.subList(0, args.indexOf("-jar"));
    }

    @ParameterizedTest(name = "Java {0}: the 24+ flags {1}")
    @CsvSource({"17.0.15, false", "21.0.4, false", "23, false", "24.0.2, true", "25.0.3, true", "26-ea, true"})
    void eachJavaVersionGetsTheFlagsItNeedsAndNoOthers(String version, boolean flags, @TempDir Path dir)
            throws Exception {
        // GPT_JAVA wins over JAVA_HOME (set here to the real JDK)
        Run r = gptWith(Map.of("GPT_JAVA", fakeJdk(dir, version).toString(), "JAVA_HOME", THIS_JDK.toString()), null,
                "--version");
        List<String> args = jvmArgs(r);
        assertTrue(args.containsAll(List.of("--add-modules", "jdk.incubator.vector")), args.toString());
        assertEquals(flags, args.contains(NATIVE_ACCESS), args.toString());
        assertEquals(flags, args.contains(UNSAFE), args.toString());
    }

    @Test
    void withoutAReleaseFileTheVersionComesFromJavaVersion(@TempDir Path dir) throws Exception {
        Path jdk = fakeJdk(dir, null);
        Run r = gptWith(Map.of("GPT_JAVA", jdk.resolve("bin/java").toString()), null, "--version");
        List<String> args = jvmArgs(r);
        assertTrue(args.containsAll(List.of(NATIVE_ACCESS, UNSAFE)), args.toString());
    }

    @Test
    void aJavaOlderThan17IsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path jdk = fakeJdk(dir, "1.8.0_402");
        Run r = gptWith(Map.of("JAVA_HOME", jdk.toString()), null, "sort", "CBABBC");
        assertEquals(1, r.exit());
        assertEquals("gpt: Java 17 or newer is needed and " + jdk.resolve("bin/java") + " is Java 1.8.0_402; "
                + "set JAVA_HOME (or GPT_JAVA) to a JDK 17 or newer\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void aJavaHomeWithoutJavaIsOneLine(@TempDir Path dir) throws Exception {
        Run r = gptWith(Map.of("JAVA_HOME", dir.toString()), null, "sort", "CBABBC");
        assertEquals(1, r.exit());
        assertEquals("gpt: JAVA_HOME=" + dir + " has no bin/java; point it at a JDK 17 or newer, or unset it to use "
                + "java on the PATH\n", r.err());
    }
}
