package dev.jgpt.it.viz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium (Debian's {@code chromium} package) driven from the command line: a screenshot, or the DOM after
 * the page's scripts ran. Every call is bounded by a timeout, after which the browser and its children are killed.
 * Each call gets a fresh profile folder, and no network: the page must not need one.
 */
final class Chromium {
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** What one browser run left behind. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    private final Path binary;
    private final Path work;

    private Chromium(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /**
     * The installed browser ({@code $CHROMIUM}, else /usr/bin/chromium or chromium-browser). Without one the test
     * fails when {@code CI=true} (CI installs it: {@code .ci/run}) and is skipped with the reason printed otherwise.
     */
    static Chromium require(Path work) {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        candidates.add(Path.of("/usr/bin/chromium"));
        candidates.add(Path.of("/usr/bin/chromium-browser"));
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                return new Chromium(p, work);
            }
        }
        String reason = "no Chromium at " + candidates + " (install Debian's package: apt-get install -y chromium)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but " + reason + "; .ci/run installs it");
        }
        System.out.println("browser test skipped: " + reason);
        Assumptions.abort(reason);
        return null;
    }

    /** A PNG screenshot of the page's first {@code width} × {@code height} pixels. */
    Run screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        return run(url, "--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars");
    }

    /** The page's DOM, serialised after its scripts ran; console messages and errors are on stderr. */
    Run dumpDom(String url) throws IOException, InterruptedException {
        return run(url, "--dump-dom", "--window-size=1280,2000");
    }

    private Run run(String url, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "profile");
        Path out = Files.createTempFile(work, "chromium", ".out");
        Path err = Files.createTempFile(work, "chromium", ".err");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-crash-reporter",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=5000",
                "--enable-logging=stderr", "--v=0"));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("HOME", profile.toString()); // nothing of the user's profile is read or written
        Process p = pb.start();
        try {
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kill(p);
                fail("chromium did not finish within " + TIMEOUT.toSeconds() + " s: " + String.join(" ", cmd)
                        + "\nstderr:\n" + tail(Files.readString(err, StandardCharsets.UTF_8)));
            }
        } finally {
            kill(p); // helpers it started and left behind, if any
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String tail(String s) {
        return s.length() <= 4000 ? s : "…" + s.substring(s.length() - 4000);
    }
}
