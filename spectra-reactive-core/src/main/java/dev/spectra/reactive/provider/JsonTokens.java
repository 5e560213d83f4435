package dev.spectra.reactive.provider;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * The calls a streaming read of a JSON body makes ({@link RequestJson}, {@link JsonAnswer}), in Jackson's
 * vocabulary: its tokens and number types. Two sources give them: {@link StrictJsonTokens}, which reads strict JSON
 * straight from the bytes without setting up a parser and gives up on anything else, and {@link JacksonJsonTokens},
 * Jackson's own parser, which reads whatever that gave up on. A read tries the first and, when it gives up, reads
 * the same bytes again with the second: for the bytes the first reads, the two give the same tokens and values.
 */
interface JsonTokens {

    /**
     * A streaming read of one body from its tokens.
     *
     * @param <C> what the read needs besides the tokens
     * @param <T> what it gives
     */
    @FunctionalInterface
    interface Reader<C, T> {
        /**
         * @param p the tokens
         * @param context what the read needs besides them
         * @return what the body says, or null
         * @throws RuntimeException when the read is unsure, or the tokens are not JSON
         */
        @Nullable T read(JsonTokens p, C context);
    }

    /**
     * Reads bytes with the strict reader and, when it gives up, the same bytes again with Jackson's parser.
     *
     * @param body the bytes, not changed, not kept
     * @param off where the JSON starts
     * @param len its length
     * @param context what the read needs besides the tokens
     * @param reader the read, the same for both sources
     * @param <C> what the read needs besides the tokens
     * @param <T> what it gives
     * @return what the read gives; null when it throws (the bytes are not JSON, a parser limit is reached, or the
     *         read is unsure)
     */
    static <C, T> @Nullable T read(byte[] body, int off, int len, C context, Reader<C, T> reader) {
        try {
            return reader.read(new StrictJsonTokens(body, off, len), context);
        } catch (StrictJsonTokens.GaveUp e) {
            // Jackson's parser reads it
        } catch (RuntimeException e) {
            return null;
        }
        try (JacksonJsonTokens p = new JacksonJsonTokens(body, off, len)) {
            return reader.read(p, context);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * @return the next token, or null past the end of the bytes
     */
    @Nullable JsonToken nextToken();

    /**
     * @return the name of the member just read (after {@link JsonToken#PROPERTY_NAME})
     */
    String currentName();

    /**
     * @return the string just read, decoded
     */
    String getString();

    /**
     * The string just read, for values that recur from call to call (a model, a finish reason, a tier): the same
     * instance each time where the source can give one, so that reading it allocates nothing.
     *
     * @return the string just read, decoded
     */
    String getSharedString();

    /**
     * Checks the scalar just read as building a tree of it would, without keeping it: a string's UTF-8 and length,
     * a fraction's conversion to a {@code BigDecimal}.
     */
    void checkValue();

    /**
     * @return the smallest of int, long and big integer that holds the integer just read
     */
    JsonParser.NumberType getNumberType();

    /**
     * @return the integer just read, when it fits an int
     */
    int getIntValue();

    /**
     * @return the integer just read, when it fits a long
     */
    long getLongValue();

    /**
     * @return the number just read, as a tree holds a fraction
     */
    BigDecimal getDecimalValue();

    /**
     * Reads the value whose first token was just read into a node, as the tree path reads it.
     *
     * @param reader the reader of the tree path's settings
     * @return the node
     */
    JsonNode readTree(ObjectReader reader);
}
