package dev.jgpt.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.jgpt.model.Step;
import dev.jgpt.model.Tokenizer;
import java.util.List;

/**
 * OpenAI's completion {@code logprobs} object for the tokens of one choice (or one chunk): {@code tokens},
 * {@code token_logprobs}, {@code top_logprobs} (the {@code logprobs} most likely tokens, and the chosen one, each
 * token's text to its natural log-probability) and {@code text_offset}.
 */
final class Logprobs {
    private final Tokenizer tokenizer;
    private final int top;
    private final JsonArray tokens = new JsonArray();
    private final JsonArray tokenLogprobs = new JsonArray();
    private final JsonArray topLogprobs = new JsonArray();
    private final JsonArray textOffset = new JsonArray();
    private int offset;

    /** @param offset where this choice's generated text starts in its {@code text} (after an echoed prompt) */
    Logprobs(Tokenizer tokenizer, int top, int offset) {
        this.tokenizer = tokenizer;
        this.top = top;
        this.offset = offset;
    }

    /**
     * The prompt, echoed: its first token has no log-probability (nothing comes before it: null, as OpenAI sends),
     * each later one its probability given those before it.
     */
    void addPrompt(int firstToken, List<Step> promptSteps) {
        String text = text(firstToken);
        tokens.add(text);
        tokenLogprobs.add(JsonNull.INSTANCE);
        topLogprobs.add(JsonNull.INSTANCE);
        textOffset.add(offset);
        offset += text.length();
        promptSteps.forEach(this::add);
    }

    void add(Step step) {
        String text = text(Steps.token(step));
        tokens.add(text);
        tokenLogprobs.add(Math.log(Steps.probability(step)));
        JsonObject alternatives = new JsonObject();
        int[] ids = Steps.topIds(step);
        double[] ps = Steps.topProbabilities(step);
        for (int i = 0; i < Math.min(top, ids.length); i++) {
            alternatives.addProperty(text(ids[i]), Math.log(ps[i]));
        }
        if (!alternatives.has(text)) {
            alternatives.addProperty(text, Math.log(Steps.probability(step)));
        }
        topLogprobs.add(alternatives);
        textOffset.add(offset);
        offset += text.length();
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.add("tokens", tokens);
        o.add("token_logprobs", tokenLogprobs);
        o.add("top_logprobs", topLogprobs);
        o.add("text_offset", textOffset);
        return o;
    }

    private String text(int id) {
        return tokenizer.decode(new int[] {id});
    }
}
