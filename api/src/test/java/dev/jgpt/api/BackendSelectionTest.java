package dev.jgpt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The precedence rule: flag, system property, environment, ./gpt.properties, ~/.config/gpt, best rank. */
class BackendSelectionTest {
    @TempDir
    Path cwd;
    @TempDir
    Path home;
    final Map<String, String> props = new HashMap<>();
    final Map<String, String> env = new HashMap<>();

    static BackendProvider provider(String name, int rank, String unavailable) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int rank() {
                return rank;
            }

            @Override
            public String description() {
                return name + " backend";
            }

            @Override
            public String unavailableReason() {
                return unavailable;
            }

            @Override
            public TensorBackend create() {
                throw new UnsupportedOperationException();
            }
        };
    }

    final Backends backends = Backends.of(List.of(provider("a", 10, null), provider("b", 50, null),
            provider("c", 20, null), provider("broken", 99, "no natives")));

    BackendSelection.Choice choose(String flag) {
        return new BackendSelection(props::get, env, cwd, home).choose(flag, backends);
    }

    @Test
    void eachSourceWinsOverTheOnesBelowIt() throws Exception {
        assertEquals("b", choose(null).provider().name()); // best available rank; broken is skipped
        assertEquals(BackendSelection.Source.RANK, choose(null).source());

        Path userFile = home.resolve(".config/gpt/gpt.properties");
        Files.createDirectories(userFile.getParent());
        Files.writeString(userFile, "gpt.backend=c\n");
        assertEquals("c", choose(null).provider().name());
        assertTrue(choose(null).describeSource().contains(userFile.toString()));

        Files.writeString(cwd.resolve("gpt.properties"), "# local\ngpt.backend = a\n");
        assertEquals("a", choose(null).provider().name());
        assertTrue(choose(null).describeSource().contains(cwd.resolve("gpt.properties").toString()));

        env.put("GPT_BACKEND", "c");
        assertEquals("c", choose(null).provider().name());
        assertEquals(BackendSelection.Source.ENVIRONMENT, choose(null).source());

        props.put("gpt.backend", "b");
        assertEquals("b", choose(null).provider().name());
        assertEquals(BackendSelection.Source.PROPERTY, choose(null).source());

        assertEquals("a", choose("a").provider().name());
        assertEquals(BackendSelection.Source.FLAG, choose("a").source());
    }

    @Test
    void unknownOrUnavailableNamesListTheAvailableOnes() {
        BackendException unknown = assertThrows(BackendException.class, () -> choose("nope"));
        assertEquals("unknown backend 'nope'; available: b, c, a", unknown.getMessage());
        env.put("GPT_BACKEND", "broken");
        BackendException broken = assertThrows(BackendException.class, () -> choose(null));
        assertTrue(broken.getMessage().contains("no natives") && broken.getMessage().contains("available: b, c, a"),
                broken.getMessage());
    }

    @Test
    void anUnknownNameFromASettingSaysWhichSettingItCameFrom() throws Exception {
        env.put("GPT_BACKEND", "bogus");
        BackendException fromEnv = assertThrows(BackendException.class, () -> choose(null));
        assertTrue(fromEnv.getMessage().startsWith("unknown backend 'bogus'; available: b, c, a")
                && fromEnv.getMessage().contains("environment variable GPT_BACKEND"), fromEnv.getMessage());
        env.clear();
        Files.writeString(cwd.resolve("gpt.properties"), "gpt.backend=bogus\n");
        BackendException fromFile = assertThrows(BackendException.class, () -> choose(null));
        assertTrue(fromFile.getMessage().contains(cwd.resolve("gpt.properties").toString()), fromFile.getMessage());
        props.put("gpt.backend", "bogus");
        BackendException fromProperty = assertThrows(BackendException.class, () -> choose(null));
        assertTrue(fromProperty.getMessage().contains("system property gpt.backend"), fromProperty.getMessage());
        assertEquals("unknown backend 'bogus'; available: b, c, a",
                assertThrows(BackendException.class, () -> choose("bogus")).getMessage(), "typed on this command line");
    }
}
