package dev.jgpt.it.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.TokenizerChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jgpt on llama.cpp's own GGUF files of the tiny GPT-2, on every available backend ({@code plain} and
 * {@code vector} compute on every dtype as stored, decoding each weight exactly; {@code nd4j} widens them to
 * float32), against what llama.cpp computed on them.
 */
class GgufReferenceIT {
    /**
     * Largest |jgpt − llama.cpp| of a first-step logit, per type, a little above the README's measured distance of
     * llama.cpp's logits from an exact float32 forward (logits have a standard deviation of about 4): F32 1.3e-3
     * (llama.cpp's F32 path includes its float16 GELU table), F16 6.6e-3, Q8_0 0.16, Q4_0 2.0, the mixture 0.8. Those
     * figures include the weights' own quantization error, which jgpt shares here (it reads the same quantized
     * weights), so its distance from llama.cpp is mostly llama.cpp's 8-bit activations in its quantized dot products
     * and its GELU table; they bound it from above. Measured on plain (prompt 1, prompt 2): F32 1.30e-3, 1.54e-3;
     * F16 3.9e-3, 4.0e-3; Q8_0 0.097, 0.110; Q4_0 0.087, 0.104; the mixture 0.124, 0.106.
     */
    static final Map<String, Double> LOGIT_TOLERANCE = Map.of("f32", 2e-3, "f16", 1e-2, "q8_0", 0.25, "q4_0", 2.5,
            "q4_0-mixed", 1.0);
    /**
     * Types whose greedy tokens must equal llama.cpp's. For Q4_0 and the mixture the agreement is reported (measured:
     * every new token equal, on both prompts) and only the first token of prompt 1 asserted, which the README states
     * for all five: a 4-bit model's greedy path may legitimately flip at a close step.
     */
    static final List<String> EXACT = List.of("f32", "f16", "q8_0");
    /**
     * A difference at a step whose top-2 jgpt logits are closer than this is a near-tie: within the logit
     * tolerance of the type, llama.cpp may rank the two either way. Reported as such, not hidden.
     */
    static final Map<String, Double> NEAR_TIE = LOGIT_TOLERANCE;

    static TensorBackend plain;
    /** Every available backend, by name (plain among them). */
    static final Map<String, TensorBackend> BACKENDS = new java.util.LinkedHashMap<>();

    @BeforeAll
    static void backend() {
        LlamaCppReference.dir();
        for (dev.jgpt.api.BackendProvider p : Backends.discover().available()) {
            BACKENDS.put(p.name(), p.create());
        }
        plain = BACKENDS.get("plain");
    }

    @AfterAll
    static void close() {
        BACKENDS.values().forEach(TensorBackend::close);
    }

    @Test
    void everyModelOfTheFolderLoadsOnPlain() throws IOException {
        List<Path> models;
        try (Stream<Path> s = Files.list(LlamaCppReference.dir())) {
            models = s.filter(p -> p.toString().endsWith(".gguf") || Files.isDirectory(p)).sorted()
                    .collect(Collectors.toList());
        }
        assertEquals(6, models.size(), models.toString());
        for (Path p : models) {
            try (Gpt gpt = Gpt.load(p, plain)) {
                GptConfig c = gpt.config();
                assertEquals(List.of(2, 4, 64, 50257, 128), List.of(c.nLayer, c.nHead, c.nEmbd, c.vocabSize,
                        c.nPositions), p.toString());
                assertTrue(c.tieWordEmbeddings, p.toString());
                boolean gguf = p.toString().endsWith(".gguf");
                assertEquals(gguf ? TokenizerChoice.Kind.FILE_BPE : TokenizerChoice.Kind.GPT2_BPE,
                        gpt.tokenizerChoice().kind(), p.toString());
                for (int i = 0; i < LlamaCppReference.PROMPTS.length; i++) {
                    assertArrayEquals(LlamaCppReference.PROMPTS[i], gpt.tokenizer().encode(LlamaCppReference.TEXTS[i]),
                            p + ": " + LlamaCppReference.TEXTS[i]);
                }
                System.err.println("[gguf] " + p.getFileName() + " loads on plain: " + c + ", " + gpt.tokenizerChoice());
            }
        }
    }

    @Test
    void firstStepLogitsAreLlamaCppsWithinEachTypesTolerance() {
        StringBuilder failures = new StringBuilder();
        for (Map.Entry<String, TensorBackend> b : BACKENDS.entrySet()) {
            for (String type : LlamaCppReference.TYPES) {
                try (Gpt gpt = Gpt.load(LlamaCppReference.gguf(type), b.getValue())) {
                    for (int p = 0; p < LlamaCppReference.PROMPTS.length; p++) {
                        float[] ours = LlamaCppReference.lastLogits(gpt, LlamaCppReference.PROMPTS[p]);
                        float[] theirs = LlamaCppReference.logits(type, p);
                        double d = LlamaCppReference.maxAbsDiff(ours, theirs);
                        double tol = LOGIT_TOLERANCE.get(type);
                        System.err.printf("[gguf] %-6s logits %-10s prompt %d: max |jgpt - llama.cpp| = %.3g "
                                + "(tolerance %.3g)%n", b.getKey(), type, p + 1, d, tol);
                        if (!(d <= tol)) {
                            failures.append(b.getKey()).append(' ').append(type).append(" prompt ").append(p + 1)
                                    .append(": ").append(d).append("; ");
                        }
                    }
                }
            }
        }
        assertEquals("", failures.toString(), "logits beyond tolerance");
    }

    @Test
    void theF32FileGivesTheHuggingFaceFoldersLogits() {
        try (Gpt gguf = Gpt.load(LlamaCppReference.gguf("f32"), plain);
             Gpt hf = Gpt.load(LlamaCppReference.dir().resolve("gpt2-tiny-hf"), plain)) {
            for (int p = 0; p < LlamaCppReference.PROMPTS.length; p++) {
                double d = LlamaCppReference.maxAbsDiff(LlamaCppReference.lastLogits(gguf, LlamaCppReference.PROMPTS[p]),
                        LlamaCppReference.lastLogits(hf, LlamaCppReference.PROMPTS[p]));
                System.err.printf("[gguf] logits f32 GGUF vs gpt2-tiny-hf prompt %d: max diff %.3g%n", p + 1, d);
                assertTrue(d <= 1e-5, "prompt " + (p + 1) + ": " + d);
            }
        }
    }

    @Test
    void greedyTokensAreLlamaCpps() {
        StringBuilder failures = new StringBuilder();
        for (Map.Entry<String, TensorBackend> b : BACKENDS.entrySet()) {
            for (String type : LlamaCppReference.TYPES) {
                try (Gpt gpt = Gpt.load(LlamaCppReference.gguf(type), b.getValue())) {
                    for (int p = 0; p < LlamaCppReference.PROMPTS.length; p++) {
                        int[] prompt = LlamaCppReference.PROMPTS[p];
                        int[] theirs = LlamaCppReference.greedy(type, p);
                        int n = LlamaCppReference.NEW_TOKENS[p];
                        assertEquals(prompt.length + n, theirs.length, type + " prompt " + (p + 1));
                        int[] ours = gpt.generator().generate(prompt, n);
                        int agree = 0;
                        while (agree < n && ours[prompt.length + agree] == theirs[prompt.length + agree]) {
                            agree++;
                        }
                        String line = String.format("[gguf] %-6s greedy %-10s prompt %d: %d of %d new tokens equal "
                                + "llama.cpp's", b.getKey(), type, p + 1, agree, n);
                        if (agree < n) {
                            int[] before = java.util.Arrays.copyOf(ours, prompt.length + agree);
                            float[] logits = LlamaCppReference.lastLogits(gpt, before);
                            double margin = LlamaCppReference.margin(logits);
                            boolean nearTie = margin < NEAR_TIE.get(type);
                            line += String.format("; first difference at new token %d: jgpt %d, llama.cpp %d; jgpt's %s%s",
                                    agree + 1, ours[prompt.length + agree], theirs[prompt.length + agree],
                                    LlamaCppReference.top2(logits), nearTie ? " (a NEAR-TIE within the type's logit "
                                            + "tolerance " + NEAR_TIE.get(type) + ")" : "");
                            if (EXACT.contains(type) && !nearTie) {
                                failures.append(line).append("; ");
                            }
                        }
                        System.err.println(line);
                        if (p == 0) { // the README: all five give the same first token on prompt 1
                            assertEquals(theirs[prompt.length], ours[prompt.length], b.getKey() + " " + type
                                    + ": the first new token");
                        }
                    }
                }
            }
        }
        assertEquals("", failures.toString(), "greedy tokens differ from llama.cpp's without a near-tie");
    }
}
