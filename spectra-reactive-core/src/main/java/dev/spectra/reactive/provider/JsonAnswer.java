package dev.spectra.reactive.provider;

import java.util.Arrays;
import java.util.Set;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * The JSON answer of the most common wire formats (OpenAI chat completions and Anthropic messages) read token by
 * token, keeping only the members their readers use, instead of a tree of the whole body: the answer's text,
 * logprobs and the like are read through and dropped. The tokens come from {@link StrictJsonTokens}, and from
 * Jackson's parser for the bytes that gives up on ({@link JsonTokens}).
 *
 * <p>Gives exactly what the tree path ({@link JsonFields#parse} and the format's {@link FormatReader}) gives for
 * the same bytes, or null when it cannot be sure of that, and the caller reads the tree: bytes that are not one
 * valid JSON object (the tree path then decides what they are), a member the reader uses given twice (the tree
 * keeps the last), a number where it is not plain (a fraction or a huge integer in an error code), a stated cost
 * or an audio duration in the usage. Every value read through is checked as building a tree of it would check it.
 */
final class JsonAnswer {

    /**
     * Reads one member's value into a node as the tree path would ({@link JsonFields#MAPPER}'s settings), the
     * members after it left to the streaming read.
     */
    private static final ObjectReader VALUE_READER = JsonFields.MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The read gave up: the tree path reads the body. A shared instance without a stack trace. */
    private static final class Unsure extends RuntimeException {

        static final Unsure INSTANCE = new Unsure();

        private Unsure() {
            super("the streaming read leaves this body to the tree", null, false, false);
        }
    }

    /** A count member that is absent or JSON null. */
    private static final long ABSENT = -1;
    /** A count member that is present but not a count ({@link JsonFields#count} would throw). */
    private static final long MALFORMED = -2;

    private JsonAnswer() {
    }

    /**
     * @param format the endpoint's wire format
     * @return whether {@link #read} reads answers of this format
     */
    static boolean reads(WireFormat format) {
        return format == WireFormat.OPENAI_CHAT || format == WireFormat.ANTHROPIC_MESSAGES;
    }

    /**
     * Reads a body whose first non-blank byte is <code>{</code>.
     *
     * @return what the body says, or null when the tree path must read it
     */
    static @Nullable ResponseDetails read(WireFormat format, byte[] body, int off, int len) {
        return JsonTokens.read(body, off, len, format, (p, f) -> read(f, p));
    }

    /**
     * Reads the answer from the tokens.
     *
     * @return what the body says, or null when the tree path must read it
     * @throws RuntimeException when it is unsure, or the tokens are not JSON
     */
    static @Nullable ResponseDetails read(WireFormat format, JsonTokens p) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        DetailsBuilder out = new DetailsBuilder();
        if (format == WireFormat.OPENAI_CHAT) {
            openAi(p, out);
        } else {
            anthropic(p, out);
        }
        if (p.nextToken() != null) {
            return null; // trailing tokens: the tree path rejects them
        }
        return out.build();
    }

    // ------------------------------------------------------------------------------------ the shared members

    /**
     * The top-level members both formats read: the model, the id, and what {@link FormatReader#readError} reads
     * (the {@code error} member, and the top-level {@code object}, {@code type} and {@code message} of Mistral's
     * errors).
     */
    private static final class TopLevel {
        private int seen;
        @Nullable String model;
        @Nullable String id;
        /** {@code error}: 0 absent or another type, 1 an object, 2 a non-empty string. */
        int kind;
        @Nullable String text;
        @Nullable String type;
        @Nullable String status;
        @Nullable String code;
        @Nullable String message;
        // top level (Mistral)
        @Nullable String object;
        @Nullable String topType;
        @Nullable String topMessage;

        /**
         * Reads the value of a top-level member when it is one of these.
         *
         * @return false when the member is not one of these (nothing read)
         */
        boolean read(String name, JsonTokens p, JsonToken v) {
            switch (name) {
                case "error" -> {
                    seen = once(seen, 1);
                    readError(p, v);
                }
                case "object" -> {
                    seen = once(seen, 1 << 1);
                    object = text(p, v);
                }
                case "type" -> {
                    seen = once(seen, 1 << 2);
                    topType = textOrNumber(p, v);
                }
                case "message" -> {
                    seen = once(seen, 1 << 3);
                    topMessage = ownText(p, v);
                }
                case "model" -> {
                    seen = once(seen, 1 << 4);
                    model = text(p, v);
                }
                case "id" -> {
                    seen = once(seen, 1 << 5);
                    id = ownText(p, v);
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** The error, then the model and id, in the tree reader's order. */
        void apply(DetailsBuilder out) {
            applyError(out);
            out.header(model, id);
        }

        private void applyError(DetailsBuilder out) {
            if (kind == 1) {
                String t = type;
                if (t == null) {
                    t = status;
                }
                if (t == null) {
                    t = code;
                }
                out.error(t, message);
            } else if (kind == 2) {
                out.error("error", text);
            } else if ("error".equals(object)) {
                out.error(topType, topMessage);
            }
        }

        /** Reads the value of {@code error}. */
        private void readError(JsonTokens p, JsonToken v) {
            if (v == JsonToken.START_OBJECT) {
                kind = 1;
                int seen = 0;
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken t = p.nextToken();
                    switch (name) {
                        case "type" -> {
                            seen = once(seen, 1);
                            type = text(p, t);
                        }
                        case "status" -> {
                            seen = once(seen, 2);
                            status = text(p, t);
                        }
                        case "code" -> {
                            seen = once(seen, 4);
                            code = textOrNumber(p, t);
                        }
                        case "message" -> {
                            seen = once(seen, 8);
                            message = ownText(p, t);
                        }
                        default -> RequestJson.skipIfContainer(p, t);
                    }
                }
            } else if (v == JsonToken.VALUE_STRING) {
                String s = p.getString();
                kind = s.isEmpty() ? 0 : 2;
                text = s;
            } else {
                RequestJson.skipIfContainer(p, v);
            }
        }
    }

    /** Throws {@link Unsure} when {@code bit} is already in {@code seen}: a member the reader uses came twice. */
    private static int once(int seen, int bit) {
        if ((seen & bit) != 0) {
            throw Unsure.INSTANCE;
        }
        return seen | bit;
    }

    /**
     * As {@link JsonFields#text}: a non-empty string, else null (a container read through). For values that recur
     * (a model, a finish reason, a type), shared between reads.
     */
    private static @Nullable String text(JsonTokens p, JsonToken v) {
        return text(p, v, true);
    }

    /** As {@link #text}, for values of one call (an id, a message), which are not shared. */
    private static @Nullable String ownText(JsonTokens p, JsonToken v) {
        return text(p, v, false);
    }

    private static @Nullable String text(JsonTokens p, JsonToken v, boolean shared) {
        if (v == JsonToken.VALUE_STRING) {
            String s = shared ? p.getSharedString() : p.getString();
            return s.isEmpty() ? null : s;
        }
        RequestJson.skipIfContainer(p, v);
        return null;
    }

    /** As {@link JsonFields#textOrNumber}, for the integers a tree writes as plain digits; else unsure. */
    private static @Nullable String textOrNumber(JsonTokens p, JsonToken v) {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType t = p.getNumberType();
            if (t == JsonParser.NumberType.INT) {
                return Integer.toString(p.getIntValue());
            }
            if (t == JsonParser.NumberType.LONG) {
                return Long.toString(p.getLongValue());
            }
            throw Unsure.INSTANCE;
        }
        if (v == JsonToken.VALUE_NUMBER_FLOAT) {
            throw Unsure.INSTANCE;
        }
        return text(p, v);
    }

    /** As {@link JsonFields#count}: the count, {@link #ABSENT} or {@link #MALFORMED} (where it would throw). */
    private static long readCount(JsonTokens p, JsonToken v) {
        if (v == JsonToken.VALUE_NULL) {
            return ABSENT;
        }
        long l;
        if (v == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType t = p.getNumberType();
            if (t != JsonParser.NumberType.INT && t != JsonParser.NumberType.LONG) {
                return MALFORMED; // beyond a long: the tree's node cannot convert to one
            }
            l = p.getLongValue();
        } else if (v == JsonToken.VALUE_NUMBER_FLOAT) {
            try {
                l = p.getDecimalValue().longValueExact();
            } catch (ArithmeticException e) {
                return MALFORMED;
            }
        } else {
            RequestJson.skipIfContainer(p, v);
            return MALFORMED;
        }
        return l < 0 || l > JsonFields.MAX_COUNT ? MALFORMED : l;
    }

    /** A count for the usage readers: null when absent; {@link JsonFields.MalformedCount} when malformed. */
    private static @Nullable Long use(long count) {
        if (count == MALFORMED) {
            throw JsonFields.MalformedCount.INSTANCE;
        }
        return count == ABSENT ? null : count;
    }

    /** Reads the object just opened to its end without using any of it. */
    private static void skipObject(JsonTokens p) {
        RequestJson.skipIfContainer(p, JsonToken.START_OBJECT);
    }

    // ------------------------------------------------------------------------------------ OpenAI chat

    /** The members of an OpenAI token-details object that {@link OpenAiUsage} reads. */
    private static final class Details implements OpenAiUsage.Source {
        long cached = ABSENT;
        long cacheWrite = ABSENT;
        long cacheCreation = ABSENT;
        long reasoning = ABSENT;
        long audio = ABSENT;

        @Override
        public @Nullable Long count(String member) {
            return use(switch (member) {
                case "cached_tokens" -> cached;
                case "cache_write_tokens" -> cacheWrite;
                case "cache_creation_tokens" -> cacheCreation;
                case "reasoning_tokens" -> reasoning;
                case "audio_tokens" -> audio;
                default -> throw new IllegalStateException("a details member not kept: " + member);
            });
        }

        @Override
        public OpenAiUsage.@Nullable Source object(String member) {
            throw new IllegalStateException("a details object has no objects read: " + member);
        }

        /** Reads the value of a details member: its members when it is an object, else null. */
        static @Nullable Details of(JsonTokens p, JsonToken v) {
            if (v != JsonToken.START_OBJECT) {
                RequestJson.skipIfContainer(p, v);
                return null;
            }
            Details d = new Details();
            d.read(p);
            return d;
        }

        /** Reads the object just opened. */
        private void read(JsonTokens p) {
            int seen = 0;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "cached_tokens" -> {
                        seen = once(seen, 1);
                        cached = readCount(p, t);
                    }
                    case "cache_write_tokens" -> {
                        seen = once(seen, 2);
                        cacheWrite = readCount(p, t);
                    }
                    case "cache_creation_tokens" -> {
                        seen = once(seen, 4);
                        cacheCreation = readCount(p, t);
                    }
                    case "reasoning_tokens" -> {
                        seen = once(seen, 8);
                        reasoning = readCount(p, t);
                    }
                    case "audio_tokens" -> {
                        seen = once(seen, 16);
                        audio = readCount(p, t);
                    }
                    default -> RequestJson.skipIfContainer(p, t);
                }
            }
        }
    }

    /** The members of an OpenAI {@code usage} object that {@link OpenAiUsage#read} reads. */
    private static final class OpenAiUsageFields implements OpenAiUsage.Source {
        long promptTokens = ABSENT;
        long inputTokens = ABSENT;
        long completionTokens = ABSENT;
        long outputTokens = ABSENT;
        long promptCacheHit = ABSENT;
        long numCached = ABSENT;
        long cachedTokens = ABSENT;
        long totalTokens = ABSENT;
        // made when the member comes: most answers state one or two of them
        @Nullable Details promptDetails;
        @Nullable Details inputDetails;
        @Nullable Details inputTokenDetails;
        @Nullable Details completionDetails;
        @Nullable Details outputDetails;
        /** The {@code cost} member as the tree holds it (OpenRouter, Perplexity): read into a node of its own. */
        @Nullable JsonNode cost;

        @Override
        public @Nullable Long count(String member) {
            return use(switch (member) {
                case "prompt_tokens" -> promptTokens;
                case "input_tokens" -> inputTokens;
                case "completion_tokens" -> completionTokens;
                case "output_tokens" -> outputTokens;
                case "prompt_cache_hit_tokens" -> promptCacheHit;
                case "num_cached_tokens" -> numCached;
                case "cached_tokens" -> cachedTokens;
                case "total_tokens" -> totalTokens;
                default -> throw new IllegalStateException("a usage member not kept: " + member);
            });
        }

        @Override
        public OpenAiUsage.@Nullable Source object(String member) {
            return switch (member) {
                case "prompt_tokens_details" -> promptDetails;
                case "input_tokens_details" -> inputDetails;
                case "input_token_details" -> inputTokenDetails;
                case "completion_tokens_details" -> completionDetails;
                case "output_tokens_details" -> outputDetails;
                default -> throw new IllegalStateException("a usage object not kept: " + member);
            };
        }

        /** Reads the usage object just opened; unsure of an audio duration. */
        void read(JsonTokens p) {
            int seen = 0;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "prompt_tokens" -> {
                        seen = once(seen, 1);
                        promptTokens = readCount(p, t);
                    }
                    case "input_tokens" -> {
                        seen = once(seen, 1 << 1);
                        inputTokens = readCount(p, t);
                    }
                    case "completion_tokens" -> {
                        seen = once(seen, 1 << 2);
                        completionTokens = readCount(p, t);
                    }
                    case "output_tokens" -> {
                        seen = once(seen, 1 << 3);
                        outputTokens = readCount(p, t);
                    }
                    case "prompt_cache_hit_tokens" -> {
                        seen = once(seen, 1 << 4);
                        promptCacheHit = readCount(p, t);
                    }
                    case "num_cached_tokens" -> {
                        seen = once(seen, 1 << 5);
                        numCached = readCount(p, t);
                    }
                    case "cached_tokens" -> {
                        seen = once(seen, 1 << 6);
                        cachedTokens = readCount(p, t);
                    }
                    case "total_tokens" -> {
                        seen = once(seen, 1 << 7);
                        totalTokens = readCount(p, t);
                    }
                    case "prompt_tokens_details" -> {
                        seen = once(seen, 1 << 8);
                        promptDetails = Details.of(p, t);
                    }
                    case "input_tokens_details" -> {
                        seen = once(seen, 1 << 9);
                        inputDetails = Details.of(p, t);
                    }
                    case "input_token_details" -> {
                        seen = once(seen, 1 << 10);
                        inputTokenDetails = Details.of(p, t);
                    }
                    case "completion_tokens_details" -> {
                        seen = once(seen, 1 << 11);
                        completionDetails = Details.of(p, t);
                    }
                    case "output_tokens_details" -> {
                        seen = once(seen, 1 << 12);
                        outputDetails = Details.of(p, t);
                    }
                    case "type" -> { // an audio duration is left to the tree
                        seen = once(seen, 1 << 13);
                        if ("duration".equals(text(p, t))) {
                            throw Unsure.INSTANCE;
                        }
                    }
                    case "cost" -> {
                        seen = once(seen, 1 << 14);
                        // the same mapper as the tree path, so the same number node (and BigDecimal) for it
                        cost = p.readTree(VALUE_READER);
                    }
                    default -> RequestJson.skipIfContainer(p, t);
                }
            }
        }

        /** What {@link OpenAiUsage#read} gives for the same object. */
        @Nullable UsageParts parts() {
            try {
                return OpenAiUsage.counts(this);
            } catch (JsonFields.MalformedCount e) {
                return null;
            }
        }
    }

    /** As {@link OpenAiChatReader#read}. */
    private static void openAi(JsonTokens p, DetailsBuilder out) {
        TopLevel top = new TopLevel();
        String provider = null;
        String tier = null;
        OpenAiUsageFields usage = null;
        OpenAiUsageFields groqUsage = null;
        String finishReason = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (top.read(name, p, v)) {
                continue;
            }
            switch (name) {
                case "provider" -> {
                    seen = once(seen, 1 << 6);
                    provider = text(p, v);
                }
                case "service_tier" -> {
                    seen = once(seen, 1 << 7);
                    tier = text(p, v);
                }
                case "usage" -> {
                    seen = once(seen, 1 << 8);
                    if (v == JsonToken.START_OBJECT) {
                        usage = new OpenAiUsageFields();
                        usage.read(p);
                    } else {
                        RequestJson.skipIfContainer(p, v);
                    }
                }
                case "x_groq" -> {
                    seen = once(seen, 1 << 9);
                    groqUsage = groq(p, v);
                }
                case "choices" -> {
                    seen = once(seen, 1 << 10);
                    if (v == JsonToken.START_ARRAY) {
                        finishReason = choices(p, out);
                    } else {
                        RequestJson.skipIfContainer(p, v);
                    }
                }
                default -> RequestJson.skipIfContainer(p, v);
            }
        }
        // in the tree reader's order; of the tool calls, counted as the choices were read, only the order matters
        top.apply(out);
        if (provider != null && !provider.isBlank()) {
            out.upstreamProvider = provider;
        }
        UsageParts parts = usage == null ? null : usage.parts();
        if (parts == null && groqUsage != null) {
            parts = groqUsage.parts();
        }
        if (parts != null) {
            out.usage = parts.toUsage();
            // as the tree reader: the top-level usage's cost, whichever usage the counts came from
            out.statedCost = usage == null ? null : OpenAiChatReader.statedCostOf(usage.cost);
        }
        if (finishReason != null) {
            out.finishReason = finishReason;
        }
        if (tier != null) {
            out.pricingTier = DetailsBuilder.servedTier(tier);
        }
    }

    /** The {@code usage} of an {@code x_groq} value, or null. */
    private static @Nullable OpenAiUsageFields groq(JsonTokens p, JsonToken v) {
        if (v != JsonToken.START_OBJECT) {
            RequestJson.skipIfContainer(p, v);
            return null;
        }
        OpenAiUsageFields usage = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if ("usage".equals(name)) {
                seen = once(seen, 1);
                if (t == JsonToken.START_OBJECT) {
                    usage = new OpenAiUsageFields();
                    usage.read(p);
                } else {
                    RequestJson.skipIfContainer(p, t);
                }
            } else {
                RequestJson.skipIfContainer(p, t);
            }
        }
        return usage;
    }

    /** Reads the choices array just opened, counting tool calls in order; the first finish reason, or null. */
    private static @Nullable String choices(JsonTokens p, DetailsBuilder out) {
        String first = null;
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.START_OBJECT) { // not an object: the tree reader finds nothing in it
                RequestJson.skipIfContainer(p, e);
                continue;
            }
            String finish = null;
            int seen = 0;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "finish_reason" -> {
                        seen = once(seen, 1);
                        finish = text(p, v);
                    }
                    case "message" -> {
                        seen = once(seen, 2);
                        message(p, v, out);
                    }
                    default -> RequestJson.skipIfContainer(p, v);
                }
            }
            if (first == null) {
                first = finish;
            }
        }
        return first;
    }

    /** Counts a choice's message's tool calls, then its {@code function_call}, as the tree reader does. */
    private static void message(JsonTokens p, JsonToken v, DetailsBuilder out) {
        if (v != JsonToken.START_OBJECT) {
            RequestJson.skipIfContainer(p, v);
            return;
        }
        boolean functionCall = false;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "tool_calls" -> {
                    seen = once(seen, 1);
                    if (t == JsonToken.START_ARRAY) {
                        toolCalls(p, out);
                    } else {
                        RequestJson.skipIfContainer(p, t);
                    }
                }
                case "function_call" -> {
                    seen = once(seen, 2);
                    functionCall = t == JsonToken.START_OBJECT;
                    RequestJson.skipIfContainer(p, t);
                }
                default -> RequestJson.skipIfContainer(p, t);
            }
        }
        if (functionCall) {
            out.countToolCall("function");
        }
    }

    /** Counts the tool calls of the array just opened: each element by its {@code type}, else as a function. */
    private static void toolCalls(JsonTokens p, DetailsBuilder out) {
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            String type = null;
            if (e == JsonToken.START_OBJECT) {
                int seen = 0;
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken t = p.nextToken();
                    if ("type".equals(name)) {
                        seen = once(seen, 1);
                        type = text(p, t);
                    } else {
                        RequestJson.skipIfContainer(p, t);
                    }
                }
            } else {
                RequestJson.skipIfContainer(p, e);
            }
            out.countToolCall(type == null ? "function" : type);
        }
    }

    // ------------------------------------------------------------------------------------ OpenAI chat stream chunks

    /**
     * What one OpenAI chat stream chunk says, read token by token as {@link OpenAiChatReader.Stream} reads a
     * chunk's tree, and kept until the chunk is read whole: a chunk left to the tree has changed nothing.
     */
    static final class OpenAiChunk {
        private final TopLevel top = new TopLevel();
        private @Nullable String provider;
        private @Nullable String tier;
        private @Nullable OpenAiUsageFields usage;
        private @Nullable OpenAiUsageFields groqUsage;
        /** The last finish reason of the choices. */
        private @Nullable String finishReason;
        // the tool calls in the order the tree reader counts them: choice << 32 | call, or -1 for a function call
        private long[] callKeys = NO_KEYS;
        private String[] callTypes = NO_TYPES;
        private int calls;

        private static final long[] NO_KEYS = {};
        private static final String[] NO_TYPES = {};
        /** A delta's {@code function_call}, which is counted whenever it comes. */
        private static final long FUNCTION_CALL = -1;

        private void addCall(long key, String type) {
            if (calls == callKeys.length) {
                callKeys = Arrays.copyOf(callKeys, Math.max(4, calls * 2));
                callTypes = Arrays.copyOf(callTypes, callKeys.length);
            }
            callKeys[calls] = key;
            callTypes[calls] = type;
            calls++;
        }

        /**
         * Applies the chunk as {@link OpenAiChatReader.Stream} applies its tree: error, model and id, upstream
         * provider, stated cost and tier with a usage, the last finish reason, then each tool call that opens.
         *
         * @param out the stream's details
         * @param seenCalls the tool calls the stream has counted, as choice &lt;&lt; 32 | call
         * @return the usage the chunk states, or null
         */
        @Nullable Usage apply(DetailsBuilder out, Set<Long> seenCalls) {
            top.apply(out);
            if (provider != null && !provider.isBlank()) {
                out.upstreamProvider = provider;
            }
            Usage stated = null;
            UsageParts parts = usage == null ? null : usage.parts();
            if (parts == null && groqUsage != null) {
                parts = groqUsage.parts();
            }
            if (parts != null) {
                stated = parts.toUsage();
                out.statedCost = usage == null ? null : OpenAiChatReader.statedCostOf(usage.cost);
                if (tier != null) {
                    out.pricingTier = DetailsBuilder.servedTier(tier);
                }
            }
            if (finishReason != null) {
                out.finishReason = finishReason;
            }
            for (int i = 0; i < calls; i++) {
                if (callKeys[i] == FUNCTION_CALL || seenCalls.add(callKeys[i])) {
                    out.countToolCall(callTypes[i]);
                }
            }
            return stated;
        }
    }

    /**
     * Reads an OpenAI chat stream chunk.
     *
     * @return what it says, or null when the tree must read it (anything but one JSON object, a whole answer fed
     *         as a chunk, or a chunk it is unsure of)
     */
    static @Nullable OpenAiChunk openAiChunk(byte[] body, int off, int len) {
        return JsonTokens.read(body, off, len, null, (p, none) -> openAiChunk(p));
    }

    /**
     * Reads a chunk from the tokens.
     *
     * @return what it says, or null when the tree must read it
     * @throws RuntimeException when it is unsure, or the tokens are not JSON
     */
    static @Nullable OpenAiChunk openAiChunk(JsonTokens p) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        OpenAiChunk c = new OpenAiChunk();
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (c.top.read(name, p, v)) {
                continue;
            }
            switch (name) {
                case "provider" -> {
                    seen = once(seen, 1 << 6);
                    c.provider = text(p, v);
                }
                case "service_tier" -> {
                    seen = once(seen, 1 << 7);
                    c.tier = text(p, v);
                }
                case "usage" -> {
                    seen = once(seen, 1 << 8);
                    if (v == JsonToken.START_OBJECT) {
                        c.usage = new OpenAiUsageFields();
                        c.usage.read(p);
                    } else {
                        RequestJson.skipIfContainer(p, v);
                    }
                }
                case "x_groq" -> {
                    seen = once(seen, 1 << 9);
                    c.groqUsage = groq(p, v);
                }
                case "choices" -> {
                    seen = once(seen, 1 << 10);
                    if (v == JsonToken.START_ARRAY) {
                        chunkChoices(p, c);
                    } else {
                        RequestJson.skipIfContainer(p, v);
                    }
                }
                default -> RequestJson.skipIfContainer(p, v);
            }
        }
        if (p.nextToken() != null) {
            return null; // trailing tokens: the tree path rejects them
        }
        String object = c.top.object;
        if ("chat.completion".equals(object) || "text_completion".equals(object) || "list".equals(object)) {
            return null; // a whole answer: the tree reads it as one
        }
        return c;
    }

    /** As {@link JsonFields#lenientCount}: the count, or -1 when absent or not a count. */
    private static long lenientCount(JsonTokens p, JsonToken v) {
        long count = readCount(p, v);
        return count < 0 ? -1 : count;
    }

    /** Reads the choices array just opened: the last finish reason, and the tool calls of each delta. */
    private static void chunkChoices(JsonTokens p, OpenAiChunk c) {
        long position = 0;
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            long choiceIndex = position++;
            if (e != JsonToken.START_OBJECT) { // not an object: the tree reader finds nothing in it
                RequestJson.skipIfContainer(p, e);
                continue;
            }
            int callsBefore = c.calls;
            String finish = null;
            long index = -1;
            int seen = 0;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "finish_reason" -> {
                        seen = once(seen, 1);
                        finish = text(p, v);
                    }
                    case "index" -> {
                        seen = once(seen, 2);
                        index = lenientCount(p, v);
                    }
                    case "delta" -> {
                        seen = once(seen, 4);
                        delta(p, v, c);
                    }
                    default -> RequestJson.skipIfContainer(p, v);
                }
            }
            if (finish != null) {
                c.finishReason = finish;
            }
            if (index >= 0) {
                choiceIndex = index;
            }
            for (int i = callsBefore; i < c.calls; i++) { // read before the choice's index was known
                if (c.callKeys[i] != OpenAiChunk.FUNCTION_CALL) {
                    c.callKeys[i] |= choiceIndex << 32;
                }
            }
        }
    }

    /** Reads a choice's {@code delta}: its tool calls, then its {@code function_call} when it names one. */
    private static void delta(JsonTokens p, JsonToken v, OpenAiChunk c) {
        if (v != JsonToken.START_OBJECT) {
            RequestJson.skipIfContainer(p, v);
            return;
        }
        boolean namedFunctionCall = false;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "tool_calls" -> {
                    seen = once(seen, 1);
                    if (t == JsonToken.START_ARRAY) {
                        chunkToolCalls(p, c);
                    } else {
                        RequestJson.skipIfContainer(p, t);
                    }
                }
                case "function_call" -> {
                    seen = once(seen, 2);
                    namedFunctionCall = t == JsonToken.START_OBJECT && functionCallName(p);
                    if (t != JsonToken.START_OBJECT) {
                        RequestJson.skipIfContainer(p, t);
                    }
                }
                default -> RequestJson.skipIfContainer(p, t);
            }
        }
        if (namedFunctionCall) {
            c.addCall(OpenAiChunk.FUNCTION_CALL, "function");
        }
    }

    /** Reads the {@code function_call} object just opened: whether it has a {@code name}. */
    private static boolean functionCallName(JsonTokens p) {
        boolean named = false;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if ("name".equals(name)) {
                seen = once(seen, 1);
                named = ownText(p, t) != null;
            } else {
                RequestJson.skipIfContainer(p, t);
            }
        }
        return named;
    }

    /**
     * Reads a delta's tool-call array just opened: each call that opens one (it states an {@code index} or an
     * {@code id}) is kept with its index (else its position) and its type.
     */
    private static void chunkToolCalls(JsonTokens p, OpenAiChunk c) {
        long position = 0;
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            long callIndex = position++;
            if (e != JsonToken.START_OBJECT) {
                RequestJson.skipIfContainer(p, e);
                continue;
            }
            long index = -1;
            String id = null;
            String type = null;
            int seen = 0;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "index" -> {
                        seen = once(seen, 1);
                        index = lenientCount(p, t);
                    }
                    case "id" -> {
                        seen = once(seen, 2);
                        id = ownText(p, t);
                    }
                    case "type" -> {
                        seen = once(seen, 4);
                        type = text(p, t);
                    }
                    default -> RequestJson.skipIfContainer(p, t);
                }
            }
            if (index >= 0 || id != null) {
                c.addCall((index >= 0 ? index : callIndex) & 0xffffffffL, type == null ? "function" : type);
            }
        }
    }

    // ------------------------------------------------------------------------------------ Anthropic messages

    /** As {@link AnthropicReader#read}. */
    private static void anthropic(JsonTokens p, DetailsBuilder out) {
        TopLevel top = new TopLevel();
        String stop = null;
        AnthropicReader.Cumulative usage = null;
        boolean usageStated = false;
        String tier = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (top.read(name, p, v)) {
                continue;
            }
            switch (name) {
                case "stop_reason" -> {
                    seen = once(seen, 1 << 6);
                    stop = text(p, v);
                }
                case "usage" -> {
                    seen = once(seen, 1 << 7);
                    if (v == JsonToken.START_OBJECT) {
                        long[] counts = {ABSENT, ABSENT, ABSENT, ABSENT, ABSENT};
                        tier = anthropicUsage(p, counts);
                        usage = new AnthropicReader.Cumulative();
                        usageStated = apply(usage, counts);
                    } else {
                        RequestJson.skipIfContainer(p, v);
                    }
                }
                case "content" -> {
                    seen = once(seen, 1 << 8);
                    if (v == JsonToken.START_ARRAY) {
                        content(p, out);
                    } else {
                        RequestJson.skipIfContainer(p, v);
                    }
                }
                default -> RequestJson.skipIfContainer(p, v);
            }
        }
        top.apply(out);
        if (usageStated) {
            out.usage = usage.toUsage();
        }
        if (tier != null) {
            out.pricingTier = DetailsBuilder.servedTier(tier);
        }
        if (stop != null) {
            out.finishReason = stop;
        }
    }

    /** As {@link AnthropicReader.Cumulative#apply} on a fresh one: true when a token count was stated. */
    private static boolean apply(AnthropicReader.Cumulative c, long[] counts) {
        Long in;
        Long read;
        Long write;
        Long write1h;
        Long out;
        try {
            in = use(counts[0]);
            read = use(counts[1]);
            write = use(counts[2]);
            write1h = use(counts[3]);
            out = use(counts[4]);
        } catch (JsonFields.MalformedCount e) {
            c.malformed = true;
            return false;
        }
        return c.apply(in, read, write, write1h, out);
    }

    /**
     * Reads the usage object just opened into {@code counts} (input, cache reads, cache writes, one-hour writes,
     * output); its {@code service_tier}, or null.
     */
    private static @Nullable String anthropicUsage(JsonTokens p, long[] counts) {
        String tier = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "input_tokens" -> {
                    seen = once(seen, 1);
                    counts[0] = readCount(p, t);
                }
                case "cache_read_input_tokens" -> {
                    seen = once(seen, 1 << 1);
                    counts[1] = readCount(p, t);
                }
                case "cache_creation_input_tokens" -> {
                    seen = once(seen, 1 << 2);
                    counts[2] = readCount(p, t);
                }
                case "cache_creation" -> {
                    seen = once(seen, 1 << 3);
                    if (t == JsonToken.START_OBJECT) {
                        int inner = 0;
                        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                            String n = p.currentName();
                            JsonToken u = p.nextToken();
                            if ("ephemeral_1h_input_tokens".equals(n)) {
                                inner = once(inner, 1);
                                counts[3] = readCount(p, u);
                            } else {
                                RequestJson.skipIfContainer(p, u);
                            }
                        }
                    } else {
                        RequestJson.skipIfContainer(p, t);
                    }
                }
                case "output_tokens" -> {
                    seen = once(seen, 1 << 4);
                    counts[4] = readCount(p, t);
                }
                case "service_tier" -> {
                    seen = once(seen, 1 << 5);
                    tier = text(p, t);
                }
                default -> RequestJson.skipIfContainer(p, t);
            }
        }
        return tier;
    }

    /** Counts the tool-use blocks of the content array just opened, in order, as {@link AnthropicReader#toolKey}. */
    private static void content(JsonTokens p, DetailsBuilder out) {
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.START_OBJECT) {
                RequestJson.skipIfContainer(p, e);
                continue;
            }
            String type = null;
            String name = null;
            int seen = 0;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String member = p.currentName();
                JsonToken t = p.nextToken();
                switch (member) {
                    case "type" -> {
                        seen = once(seen, 1);
                        type = text(p, t);
                    }
                    case "name" -> {
                        seen = once(seen, 2);
                        name = text(p, t);
                    }
                    default -> RequestJson.skipIfContainer(p, t);
                }
            }
            String key = type == null ? null : switch (type) {
                case "tool_use" -> "function";
                case "server_tool_use" -> name == null ? "server_tool" : name;
                case "mcp_tool_use" -> "mcp";
                default -> null;
            };
            if (key != null) {
                out.countToolCall(key);
            }
        }
    }
}
