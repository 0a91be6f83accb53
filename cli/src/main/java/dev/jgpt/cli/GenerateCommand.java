package dev.jgpt.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jgpt.model.GenerateOptions;
import dev.jgpt.model.Generation;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.PromptFit;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Step;
import dev.jgpt.model.TextStream;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.model.Words;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt generate}: continue a prompt, given as token ids or as text. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continue a prompt (greedy unless --temperature, --top-k or --top-p is given).",
            "Text prompts use GPT-2's BPE for 50257-token models and the letters A/B/C for the sort model."})
final class GenerateCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { ids, text, json }

    static final class Prompt {
        @Option(names = "--tokens", paramLabel = "IDS", required = true,
                description = "Prompt as comma-separated token ids, e.g. 2,1,0.")
        String tokens;

        @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "Prompt as text.")
        String text;
    }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions options = new ModelOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    /** New tokens when --max-new-tokens is not given (fewer when the context has less room). */
    static final int DEFAULT_NEW_TOKENS = 16;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "Tokens to generate (default: " + DEFAULT_NEW_TOKENS + ", or as many as the model's context "
                    + "leaves room for if fewer); prompt + N − 1 must fit the context.")
    Integer maxNewTokens;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "ids: the whole sequence, comma-separated, on one line; text: decoded, streamed as tokens "
                    + "are produced; json: ids, text and per-step top-5 probabilities. Default: like the prompt, "
                    + "text for --prompt and ids for --tokens.")
    Format format;

    @Option(names = "--temperature", paramLabel = "T", description = "Sample from softmax(logits / T), T > 0.")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely tokens (K ≥ 1).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P",
            description = "Sample among the most likely tokens whose probability reaches P, 0 < P ≤ 1.")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the sampling RNG (default: ${DEFAULT-VALUE}); same seed, same output.")
    long seed;

    @Override
    public Integer call() {
        if (maxNewTokens != null && maxNewTokens < 0) {
            throw new InvalidInputException("--max-new-tokens must be 0 or more, got " + maxNewTokens);
        }
        Sampling sampling = sampling();
        int[] ids = prompt.tokens != null ? parseIds(prompt.tokens) : null;
        Format format = this.format != null ? this.format : ids != null ? Format.ids : Format.text;
        if (ids == null && prompt.text.isEmpty()) {
            throw new InvalidInputException("empty prompt: --prompt needs some text");
        }
        try (Gpt gpt = options.load()) {
            boolean needsText = prompt.text != null || format != Format.ids;
            Tokenizer tokenizer = needsText ? Tokenizer.forModel(gpt.config()) : null;
            int[] input = ids != null ? ids : tokenizer.encode(prompt.text);
            int n = maxNewTokens != null ? maxNewTokens
                    : PromptFit.newTokens(input.length, DEFAULT_NEW_TOKENS, gpt.config());
            PromptFit.check(input, n, gpt.config()); // before the first byte of output
            PrintWriter out = spec.commandLine().getOut();
            GenerateOptions go = new GenerateOptions().maxNewTokens(n).sampling(sampling);
            if (format == Format.text) {
                TextStream stream = new TextStream(tokenizer);
                out.print(tokenizer.decode(input));
                out.flush();
                go.onToken((row, step) -> {
                    out.print(stream.push(step.token));
                    out.flush();
                });
                gpt.generator().generate(new int[][] {input}, go);
                out.println(stream.flush());
            } else {
                Generation g = gpt.generator().generate(new int[][] {input}, go);
                out.println(format == Format.ids ? join(g.tokens[0]) : json(g, input.length, tokenizer));
            }
            out.flush();
        }
        return ExitCodes.OK;
    }

    private Sampling sampling() {
        if (temperature == null && topK == null && topP == null) {
            return Sampling.greedy();
        }
        if (topK != null && topK < 1) {
            throw new InvalidInputException("--top-k must be 1 or more, got " + topK);
        }
        return Sampling.random(temperature == null ? 1.0 : temperature, topK == null ? 0 : topK,
                topP == null ? 1.0 : topP, seed);
    }

    private static String join(int[] ids) {
        return IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String json(Generation g, int promptLength, Tokenizer tokenizer) {
        JsonObject o = new JsonObject();
        JsonArray ids = new JsonArray();
        IntStream.of(g.tokens[0]).forEach(ids::add);
        o.add("ids", ids);
        o.addProperty("prompt_length", promptLength);
        o.addProperty("text", tokenizer.decode(g.tokens[0]));
        JsonArray steps = new JsonArray();
        for (Step s : g.steps.get(0)) {
            JsonObject step = new JsonObject();
            step.addProperty("id", s.token);
            step.addProperty("text", tokenizer.decode(new int[] {s.token}));
            step.addProperty("probability", s.probability);
            JsonArray top = new JsonArray();
            for (int i = 0; i < s.topIds.length; i++) {
                JsonObject t = new JsonObject();
                t.addProperty("id", s.topIds[i]);
                t.addProperty("text", tokenizer.decode(new int[] {s.topIds[i]}));
                t.addProperty("probability", s.topProbabilities[i]);
                top.add(t);
            }
            step.add("top", top);
            steps.add(step);
        }
        o.add("steps", steps);
        return new GsonBuilder().disableHtmlEscaping().create().toJson(o);
    }

    static int[] parseIds(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new InvalidInputException("empty prompt: --tokens needs at least one token id");
        }
        String[] parts = s.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            try {
                if (!part.matches("[+-]?[0-9]+")) { // ASCII digits: Java would read other scripts' digits too
                    throw new NumberFormatException(part);
                }
                ids[i] = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(Words.quote(part) + " in --tokens is not a token id; "
                        + "give comma-separated whole numbers, e.g. 2,1,0");
            }
        }
        return ids;
    }
}
