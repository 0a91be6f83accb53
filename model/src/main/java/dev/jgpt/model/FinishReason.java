package dev.jgpt.model;

/** Why a sequence ended (OpenAI's {@code finish_reason}). */
public enum FinishReason {
    /** A stop token or stop string was produced. */
    STOP,
    /** Its new-token limit, or the model's context, was reached. */
    LENGTH,
    /** Cancelled by its caller (a client went away). */
    CANCELLED
}
