package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user broke (issue 12): prompts checked before output, defaults that fit the model, messages in the
 * user's terms (where a setting came from, line and column of bad JSON, no Java names), numbers that README and
 * behaviour agree on, unused tensors refused.
 */
class NewUserTest {
    private static final Pattern JAVA_NAME = Pattern.compile(
            "(?:[a-z]+\\.)+[A-Z]\\w+|\\b\\w*(?:Exception|Error)\\b|JsonReader|setStrictness|\\tat ");

    @TempDir
    Path tmp;

    static void noJavaNames(CliTest.Run r) {
        assertFalse(JAVA_NAME.matcher(r.err()).find(), "no Java class names or advice: " + r.err());
    }

    @Test
    void row8PromptIsValidatedBeforeTheFirstByteOfOutput() {
        CliTest.Run r = CliTest.gpt("generate", "--prompt", "CBABBC", "--max-new-tokens", "7");
        r.assertOneLineError(3, "at most 6");
        assertEquals("", r.out(), "nothing on stdout before the error");
        CliTest.Run huge = CliTest.gpt("generate", "--prompt", "A".repeat(100_000));
        huge.assertOneLineError(3, "100000 tokens", "at most 11");
        assertEquals("", huge.out());
        assertTrue(huge.err().length() < 200, huge.err());
    }

    @Test
    void row9TheDefaultNumberOfNewTokensFitsTheModel() {
        CliTest.Run r = CliTest.gpt("generate", "--tokens", "2,1,0,1,1,2");
        assertEquals(0, r.code(), r.err());
        assertEquals("2,1,0,1,1,2,0,1,1,1,2,2\n", r.out());
        CliTest.Run text = CliTest.gpt("generate", "--prompt", "CBABBC");
        assertEquals("CBABBCABBBCC\n", text.out(), text.err());
    }

    @Test
    void row10APromptLongerThanTheContextSaysSo() {
        CliTest.gpt("generate", "--tokens", "0,1,2,0,1,2,0,1,2,0,1,2", "--max-new-tokens", "0")
                .assertOneLineError(3, "the prompt has 12 tokens; this model takes at most 11");
        CliTest.gpt("trace", "--tokens", "0,1,2,0,1,2,0,1,2,0,1,2", "--out", tmp.resolve("t.json").toString())
                .assertOneLineError(3, "the prompt has 12 tokens; this model takes at most 11");
        CliTest.gpt("generate", "--tokens", "0", "--max-new-tokens", "12")
                .assertOneLineError(3, "a prompt of 1 token leaves room for at most 11 new tokens");
        CliTest.gpt("sort", "C").assertOneLineError(3, "\"C\" has 1 letter;");
    }

    @Test
    void row13MessagesNameTheCauseInTheUsersTerms() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        CliTest.gpt("sort", "CBABBC", "--model", file.toString()).assertOneLineError(4, "is a file, not a model folder");
        CliTest.Run empty = CliTest.gpt("sort", "CBABBC", "--model", "");
        empty.assertOneLineError(2, "--model", "empty");
        assertFalse(empty.err().contains("null"), empty.err());
        GptConfig nano = new GptConfig(3, 3, 48, 3, 11, 1e-5f, Gelu.TANH, false);
        Path dir = tmp.resolve("m");
        ModelWriter.write(dir, nano, RandomWeights.generate(nano, 1, true, 0f), "F32", "");
        String cfg = nano.toJson();
        Files.writeString(dir.resolve("config.json"), cfg + "trailing garbage");
        CliTest.Run trailing = CliTest.gpt("sort", "CBABBC", "--model", dir.toString());
        trailing.assertOneLineError(4, "config.json is not valid JSON", "more text follows", "line 13");
        noJavaNames(trailing);
        Files.writeString(dir.resolve("config.json"), "{\"n_layer\": 3,");
        CliTest.Run cut = CliTest.gpt("sort", "CBABBC", "--model", dir.toString());
        cut.assertOneLineError(4, "not valid JSON", "ends too early", "line 1");
        noJavaNames(cut);
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"n_layer\": 3", "\"n_layer\": 1e30"));
        CliTest.Run absurd = CliTest.gpt("sort", "CBABBC", "--model", dir.toString());
        absurd.assertOneLineError(4, "'n_layer' = 1e30");
        assertFalse(absurd.err().contains("9223372036854775807"), absurd.err());
    }

    @Test
    void row14TensorsTheConfigHasNoPlaceForAreRefused() throws IOException {
        GptConfig three = new GptConfig(3, 3, 48, 3, 11, 1e-5f, Gelu.TANH, false);
        Path dir = tmp.resolve("two-of-three");
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(three, 1, true, 0f);
        ModelWriter.write(dir, three, w, "F32", "");
        Files.writeString(dir.resolve("config.json"), three.toJson().replace("\"n_layer\": 3", "\"n_layer\": 2"));
        CliTest.gpt("sort", "CBABBC", "--model", dir.toString()).assertOneLineError(4, "'h.2.", "n_layer 2");
    }

    @Test
    void row15AbsurdCountsAreInvalidInputAsTheReadmeSays() {
        CliTest.gpt("generate", "--tokens", "0", "--max-new-tokens", "99999999999")
                .assertOneLineError(3, "--max-new-tokens 99999999999");
        CliTest.gpt("explain", "CBABBC", "--step", "99999999999").assertOneLineError(3, "--step 99999999999");
        CliTest.gpt("generate", "--tokens", "0", "--top-k", "99999999999").assertOneLineError(3, "--top-k");
        CliTest.gpt("generate", "--tokens", "0", "--max-new-tokens", "-99999999999")
                .assertOneLineError(3, "far too small");
    }

    @Test
    void numbersAreAsciiDigitsOnly() {
        CliTest.gpt("generate", "--tokens", "\u0662,\u0661").assertOneLineError(3, "\"\u0662\"", "not a token id");
        CliTest.gpt("generate", "--tokens", "0", "--max-new-tokens", "\u0662")
                .assertOneLineError(2, "not a whole number");
        CliTest.Run nan = CliTest.gpt("generate", "--tokens", "0", "--temperature", "NaN");
        nan.assertOneLineError(2, "not a number");
        noJavaNames(nan);
    }

    @Test
    void picocliMessagesHaveNoErrorPrefixOrInternalNotation() {
        CliTest.Run both = CliTest.gpt("generate", "--tokens", "0", "--prompt", "A");
        both.assertOneLineError(2, "mutually exclusive");
        assertFalse(both.err().startsWith("gpt: Error"), both.err());
        CliTest.Run twice = CliTest.gpt("init", "--preset", "nano-sort", "--out", tmp.resolve("a").toString(),
                "--out", tmp.resolve("b").toString());
        twice.assertOneLineError(2, "--out");
        assertFalse(twice.err().contains("expected only one match") || twice.err().contains("={"), twice.err());
    }

    @Test
    void theBackendSettingsSourceIsNamed() {
        String old = System.getProperty("gpt.backend");
        System.setProperty("gpt.backend", "bogus");
        try {
            CliTest.gpt("sort", "CBABBC").assertOneLineError(5, "unknown backend 'bogus'", "system property gpt.backend");
        } finally {
            if (old == null) {
                System.clearProperty("gpt.backend");
            } else {
                System.setProperty("gpt.backend", old);
            }
        }
    }

    @Test
    void anInternalErrorNamesNoJavaClass() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.handle(new IllegalStateException("java.io.EOFException: End of input"), false,
                new java.io.PrintWriter(err));
        CliTest.Run r = new CliTest.Run(code, "", err.toString());
        r.assertOneLineError(1, "internal error", "End of input", "--verbose");
        noJavaNames(r);
    }

    @Test
    void outOfMemoryIsOneLineNamingTheHeapSetting() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.handle(new OutOfMemoryError("Java heap space"), false, new java.io.PrintWriter(err));
        new CliTest.Run(code, "", err.toString()).assertOneLineError(1, "out of memory", "GPT_HEAP", "--batch");
    }

    @Test
    void explainColumnsStayAlignedForBpeTokens() throws IOException {
        GptConfig c = new GptConfig(1, 1, 8, 50257, 16, 1e-5f, Gelu.TANH, true);
        Path dir = tmp.resolve("bpe");
        ModelWriter.write(dir, c, RandomWeights.generate(c, 1, true, 0f), "F32", "");
        CliTest.Run r = CliTest.gpt("explain", "Hello, my name is Bartholomew\tand", "--model", dir.toString(),
                "--max-new-tokens", "1", "--color", "never");
        assertEquals(0, r.code(), r.err());
        java.util.List<String> lines = r.out().lines().collect(java.util.stream.Collectors.toList());
        int header = 0;
        while (!lines.get(header).startsWith("  pos tok")) {
            header++;
        }
        int column = lines.get(header).indexOf("tok_emb");
        for (int i = header + 1; !lines.get(i).isBlank(); i++) {
            assertEquals('[', lines.get(i).charAt(column), "tok_emb column of:\n" + lines.get(header) + "\n"
                    + lines.get(i));
        }
        assertFalse(r.out().contains("\t"), "a tab token is shown escaped");
    }
}
