package dev.spectra.reactive.provider;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * {@link JsonTokens} from Jackson's parser, with the tree path's settings ({@link JsonFields#MAPPER}): reads
 * everything the tree path reads, and rejects what it rejects with a {@code JacksonException}.
 */
final class JacksonJsonTokens implements JsonTokens, AutoCloseable {

    private final JsonParser parser;

    JacksonJsonTokens(byte[] body, int off, int len) {
        this.parser = JsonFields.MAPPER.tokenStreamFactory().createParser(ObjectReadContext.empty(), body, off, len);
    }

    @Override
    public @Nullable JsonToken nextToken() {
        return parser.nextToken();
    }

    @Override
    public String currentName() {
        return parser.currentName();
    }

    @Override
    public String getString() {
        return parser.getString();
    }

    @Override
    public String getSharedString() {
        return parser.getString();
    }

    @Override
    public void checkValue() {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            parser.finishToken();
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            parser.getDecimalValue(); // the tree holds floats as BigDecimal
        }
    }

    @Override
    public JsonParser.NumberType getNumberType() {
        return parser.getNumberType();
    }

    @Override
    public int getIntValue() {
        return parser.getIntValue();
    }

    @Override
    public long getLongValue() {
        return parser.getLongValue();
    }

    @Override
    public BigDecimal getDecimalValue() {
        return parser.getDecimalValue();
    }

    @Override
    public JsonNode readTree(ObjectReader reader) {
        return reader.readTree(parser);
    }

    @Override
    public void close() {
        parser.close();
    }
}
