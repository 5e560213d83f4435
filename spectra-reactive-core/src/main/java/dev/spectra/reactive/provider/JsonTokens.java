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
