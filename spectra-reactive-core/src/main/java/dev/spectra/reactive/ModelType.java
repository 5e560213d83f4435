package dev.spectra.reactive;

import java.util.Locale;

/**
 * What kind of model served a call; decides which units it is billed by.
 *
 * @since 0.1
 */
public enum ModelType {
    /** Text generation (chat, completions, responses, messages). */
    TEXT,
    /** Embeddings. */
    EMBEDDING,
    /** Image generation. */
    IMAGE,
    /** Text to speech. */
    TTS,
    /** Speech to text (transcription, translation). */
    STT,
    /** Video generation. */
    VIDEO;

    private final String id = name().toLowerCase(Locale.ROOT);

    /**
     * The lower-case name used in storage and JSON, e.g. {@code text}, {@code tts}.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The model type of an id as returned by {@link #id()}.
     *
     * @param id a model type id, any case
     * @return the model type
     * @throws IllegalArgumentException for an unknown id
     */
    public static ModelType fromId(String id) {
        for (ModelType t : values()) {
            if (t.id().equalsIgnoreCase(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "model type \"" + id + "\" is not one of text, embedding, image, tts, stt, video");
    }
}
