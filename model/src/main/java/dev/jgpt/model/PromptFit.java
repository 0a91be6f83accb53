package dev.jgpt.model;

/**
 * Whether a prompt and a number of new tokens fit a model's context, checked before any output, and the messages
 * when they do not. The last generated token is never fed back, so a prompt of T tokens and N new ones run
 * T + N − 1 positions: a context of P leaves room for P + 1 − T new tokens.
 */
public final class PromptFit {
    private PromptFit() {
    }

    /** How many new tokens a prompt of {@code length} tokens leaves room for (≤ 0: the prompt alone is too long). */
    public static long room(int length, GptConfig c) {
        return (long) c.nPositions + 1 - length;
    }

    /** {@code preferred} new tokens, or fewer if the context has less room (at least 1). */
    public static int newTokens(int length, int preferred, GptConfig c) {
        return (int) Math.max(1, Math.min(preferred, room(length, c)));
    }

    /**
     * Checks a prompt before anything is printed: every id in the vocabulary, the prompt within the context, and
     * room for {@code maxNewTokens}.
     *
     * @throws InvalidInputException naming the problem and the limit
     */
    public static void check(int[] prompt, long maxNewTokens, GptConfig c) {
        if (prompt.length == 0) {
            throw new InvalidInputException("empty prompt: give at least one token");
        }
        for (int id : prompt) {
            if (id < 0 || id >= c.vocabSize) {
                throw new InvalidInputException("token id " + id + " is outside the vocabulary [0, " + c.vocabSize
                        + ")");
            }
        }
        if (maxNewTokens < 0) {
            throw new InvalidInputException("max new tokens must be 0 or more, got " + maxNewTokens);
        }
        String why = tooLong(prompt.length, maxNewTokens, c);
        if (why != null) {
            throw new InvalidInputException(why);
        }
    }

    /** Why a prompt of {@code length} tokens and {@code maxNewTokens} do not fit, or null when they do. */
    static String tooLong(int length, long maxNewTokens, GptConfig c) {
        if (length > c.nPositions) {
            return "the prompt has " + Words.count(length, "token") + "; this model takes at most " + c.nPositions
                    + " (its context)";
        }
        long room = room(length, c);
        if (maxNewTokens > room) {
            return "a prompt of " + Words.count(length, "token") + " leaves room for at most " + room + " new "
                    + (room == 1 ? "token" : "tokens") + " in this model's context of " + c.nPositions
                    + "; asked for " + maxNewTokens;
        }
        return null;
    }
}
