package dev.jgpt.api;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Which backend to use, by the project's rule (first that is set wins):
 * <ol>
 *   <li>the {@code --backend NAME} flag;</li>
 *   <li>the system property {@code gpt.backend};</li>
 *   <li>the environment variable {@code GPT_BACKEND};</li>
 *   <li>{@code gpt.backend=NAME} in {@code ./gpt.properties}, then in {@code ~/.config/gpt/gpt.properties};</li>
 *   <li>otherwise the available backend of best rank.</li>
 * </ol>
 */
public final class BackendSelection {
    /** The property and file key. */
    public static final String PROPERTY = "gpt.backend";
    /** The environment variable. */
    public static final String ENV = "GPT_BACKEND";

    /** Where the choice came from. */
    public enum Source {
        FLAG("--backend flag"), PROPERTY("system property " + BackendSelection.PROPERTY),
        ENVIRONMENT("environment " + BackendSelection.ENV), FILE("file"), RANK("best rank");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A resolved choice: the provider, and which source named it (with detail, e.g. the file). */
    public record Choice(BackendProvider provider, Source source, String detail) {
        /** Human-readable source, e.g. {@code file ./gpt.properties}. */
        public String describeSource() {
            return detail == null ? source.label() : source.label() + " " + detail;
        }
    }

    private final Function<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Path workingDir;
    private final Path userHome;

    public BackendSelection(Function<String, String> systemProperties, Map<String, String> environment,
            Path workingDir, Path userHome) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.workingDir = workingDir;
        this.userHome = userHome;
    }

    /** The selection as seen by this process. */
    public static BackendSelection ofProcess() {
        return new BackendSelection(System::getProperty, System.getenv(), Path.of("").toAbsolutePath(),
                Path.of(System.getProperty("user.home")));
    }

    /**
     * Resolves the choice.
     *
     * @param flag the {@code --backend} value, or null
     * @throws BackendException when the named backend is unknown or unavailable, or none is available
     */
    public Choice choose(String flag, Backends backends) {
        if (notBlank(flag)) {
            return new Choice(backends.require(flag.trim()), Source.FLAG, null);
        }
        String prop = systemProperties.apply(PROPERTY);
        if (notBlank(prop)) {
            return new Choice(require(backends, prop, "the system property " + PROPERTY), Source.PROPERTY, null);
        }
        String env = environment.get(ENV);
        if (notBlank(env)) {
            return new Choice(require(backends, env, "the environment variable " + ENV), Source.ENVIRONMENT, null);
        }
        for (Path file : new Path[] {workingDir.resolve("gpt.properties"),
                userHome.resolve(".config").resolve("gpt").resolve("gpt.properties")}) {
            String fromFile = readKey(file);
            if (notBlank(fromFile)) {
                return new Choice(require(backends, fromFile, PROPERTY + " in " + file), Source.FILE, file.toString());
            }
        }
        return new Choice(backends.best(), Source.RANK, null);
    }

    /** The named provider; the error says where the name came from (a setting the user may have forgotten). */
    private static BackendProvider require(Backends backends, String name, String from) {
        try {
            return backends.require(name.trim());
        } catch (BackendException e) {
            throw new BackendException(e.getMessage() + " (the name comes from " + from + "; change or unset it)");
        }
    }

    private static String readKey(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new BackendException("cannot read " + file + ": " + e.getMessage()
                    + "; fix or remove it (it should hold a line gpt.backend=NAME)");
        }
        return p.getProperty(PROPERTY);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
