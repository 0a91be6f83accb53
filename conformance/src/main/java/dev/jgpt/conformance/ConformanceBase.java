package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every level of the kit shares: which backend is under test (by name, found through {@link Backends#discover()}
 * like the CLI finds it), one instance of it per test class, the plain reference, and scratch folders.
 *
 * <p>Nested in a {@link ConformanceSuite} (the kit), a group overrides only {@link #suite()} and takes the backend's
 * name and settings from it. Used on its own, a subclass names the backend with {@link #backendName()}; it may
 * override {@link #createBackend()} (to configure the instance) and {@link #skipWhenAbsent()} (to skip rather than
 * fail when no provider of that name is on the class path; a provider that is present but unavailable always fails).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceBase {
    /** The name of the reference backend the kit compares against. */
    /** What messages call the reference ({@link ReferenceBackend}, the kit's own one-thread loops). */
    public static final String REFERENCE = "reference";

    /** The backend under test, created once for the test class. */
    protected TensorBackend backend;
    private Path scratch;

    /** The suite this group is nested in, whose backend it tests; null (the default) for a group used on its own. */
    protected ConformanceSuite suite() {
        return null;
    }

    /**
     * The {@link BackendProvider#name()} of the backend under test: the suite's; a group used on its own must
     * override this.
     */
    protected String backendName() {
        if (suite() == null) {
            throw new IllegalStateException(getClass().getName() + " is used on its own: override backendName()");
        }
        return suite().backendName();
    }

    /** True to skip (with the reason printed) instead of failing when no provider of that name is registered. */
    protected boolean skipWhenAbsent() {
        return suite() != null && suite().skipWhenAbsent();
    }

    /** The backend under test: the suite's; by default created through its provider, found by ServiceLoader. */
    protected TensorBackend createBackend() {
        return suite() != null ? suite().createBackend() : Backends.discover().require(backendName()).create();
    }

    @BeforeAll
    protected final void openBackendUnderTest() {
        requirePresent(backendName(), skipWhenAbsent());
        backend = createBackend();
    }

    @AfterAll
    protected final void closeBackendUnderTest() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
        if (scratch != null) {
            deleteTree(scratch);
            scratch = null;
        }
    }

    /**
     * Fails (or skips, when {@code skipWhenAbsent}) unless a provider named {@code name} is registered; fails when it
     * is registered but unavailable here.
     */
    static void requirePresent(String name, boolean skipWhenAbsent) {
        Backends backends = Backends.discover();
        BackendProvider found = backends.all().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
        String registered = backends.all().stream().map(BackendProvider::name).collect(Collectors.joining(", "));
        if (found == null) {
            String reason = "no backend named '" + name + "' is registered through META-INF/services/"
                    + BackendProvider.class.getName() + " on the test class path (registered: " + registered + ")";
            if (skipWhenAbsent) {
                System.err.println("SKIPPED conformance of '" + name + "': " + reason);
                assumeTrue(false, reason);
            }
            fail(reason);
        }
        String why = found.unavailableReason();
        if (why != null) {
            fail("backend '" + name + "' is registered but unavailable here: " + why);
        }
    }

    /** A new instance of the reference backend, the kit's own {@link ReferenceBackend}. */
    public static TensorBackend newReference() {
        return new ReferenceBackend();
    }

    /** A fresh folder under this test class's scratch folder (deleted after the class). */
    protected Path tempDir(String name) {
        try {
            if (scratch == null) {
                scratch = Files.createTempDirectory("jgpt-conformance-");
            }
            return Files.createTempDirectory(scratch, name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e.getMessage());
        }
    }
}
