package dev.spectra.reactive.provider;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads what one streamed answer says, incrementally and in constant memory: the chunk reader of
 * {@link ProviderRegistry#newChunkReader} and of {@link EndpointMatch#newStreamReader()}.
 *
 * <p>Two ways in, not to be mixed within one stream:
 * <ul>
 *   <li><b>Wire bytes</b> ({@link #feed(ByteBuffer)}, {@link #feed(byte[], int, int)}, {@code byte[]} chunks):
 *       the raw body as it arrives, split anywhere (inside a line, a CRLF or a multi-byte character). The framing
 *       is recognised from the first non-blank byte: <code>{</code> or {@code [} is a sequence of JSON objects
 *       (NDJSON, a streamed JSON array), anything else is SSE. Buffers are read with absolute gets: their
 *       position, limit and content are never changed, and they are not kept after the call returns.</li>
 *   <li><b>Decoded chunks</b> ({@link #onChunk(Object)}): an SSE {@code data} payload or NDJSON line as a
 *       {@code String} (WebClient's {@code bodyToFlux(String.class)}), a Jackson {@code JsonNode}, a {@code Map},
 *       or a Spring {@code ServerSentEvent} (read reflectively through its {@code data()} and {@code event()}
 *       methods, so core does not depend on Spring). A {@code String} that starts with an SSE field
 *       ({@code data:}, {@code event:}, {@code :}) switches the stream to raw SSE text, read <em>one line per
 *       String</em> as line readers hand it over ({@code BufferedReader.lines()}, Java's
 *       {@code HttpResponse.BodyHandlers.ofLines()}, Spring's {@code StringDecoder}): a String without a line end
 *       gets one, and an empty String is the blank line that ends an event. Strings that keep their line ends
 *       work as well.</li>
 * </ul>
 *
 * <p>Chunks that cannot change the result (text deltas) are recognised by a cheap byte test and not parsed.
 * Malformed chunks (truncated or invalid JSON, invalid UTF-8) are skipped and counted, never thrown. A stream
 * that reports no usage gives {@code usage == null}, never zeros. An event larger than the bound is skipped and
 * counted in {@link #oversizedEvents()}.
 *
 * <p>{@link #details()} is a snapshot: what the events so far say, plus an event whose closing blank line has not
 * come yet (read as it is, from a copy of the state, so the stream can go on). {@link #finish()} ends the input
 * and gives the final details; call it once the stream has ended (completed, failed or cancelled).
 *
 * <p>Memory per stream: one event buffer that grows to at most {@link ProviderRegistry#maxEventBytes()} only for
 * an event that cannot be ruled out from its first bytes (typed events such as partial images or audio deltas
 * are ruled out and never buffered; OpenAI chat and Gemini chunks, whose usage comes at their end, are buffered
 * whole), a scratch array of at most 1 KiB that direct buffers pass through, and for Gemini the latest
 * {@code usageMetadata} object (at most 16 KiB). Used by one thread at a time.
 *
 * @since 0.1
 */
public final class StreamReader implements ResponseReader.ChunkReader {

    /** How a stream's input is cut into events. */
    private enum Framing {
        /** Not known before the first non-blank input. */
        UNKNOWN,
        /** Server-Sent Events: {@code data:} lines, events ended by a blank line. */
        SSE,
        /** A sequence of JSON values: NDJSON lines or the elements of a streamed JSON array. */
        JSON_SEQUENCE,
        /** Strings that are a JSON array split at line ends ({@code bodyToFlux(String)} of a JSON body): bytes. */
        SPLIT_JSON_ARRAY
    }

    private static final int SCRATCH = 1024;
    /** The {@code data()} and {@code event()} accessors of a server-sent event type (Spring's, or one alike). */
    private record SseAccessors(Method data, Method event) {
    }

    private static final ClassValue<@Nullable SseAccessors> SSE_ACCESSORS = new ClassValue<>() {
        @Override
        protected @Nullable SseAccessors computeValue(Class<?> type) {
            try {
                Method data = type.getMethod("data");
                Method event = type.getMethod("event");
                data.setAccessible(true);
                event.setAccessible(true);
                return new SseAccessors(data, event);
            } catch (NoSuchMethodException | RuntimeException e) {
                return null;
            }
        }
    };

    private final @Nullable WireFormat format;
    private final @Nullable WireFormat fallback;
    private final int maxEventBytes;
    private final EventSink sink = new EventSink() {
        @Override
        public void onEvent(byte[] name, int nameLen, byte[] data, int dataLen) {
            StreamReader.this.onEvent(name, nameLen, data, dataLen);
        }

        @Override
        public boolean skip(byte[] name, int nameLen, byte[] prefix, int len) {
            FormatStream s = stream;
            if (s == null) {
                return false;
            }
            try {
                if (s.skippable(name, nameLen, prefix, len)) {
                    s.skipped++;
                    return true;
                }
            } catch (RuntimeException e) {
                malformed++;
            }
            return false;
        }
    };
    private boolean finished;

    private @Nullable FormatStream stream;
    private Framing byteFraming = Framing.UNKNOWN;
    private @Nullable SseDecoder sse;
    private @Nullable JsonSeqDecoder seq;
    private @Nullable JsonSeqDecoder stringSeq;
    private Framing stringFraming = Framing.UNKNOWN;
    private byte @Nullable [] scratch;
    private long malformed;
    private long chunks;
    /** The first chunk no reader understood, described; reported when the stream gives no usage. */
    private @Nullable String unknownType;

    StreamReader(@Nullable WireFormat format, @Nullable WireFormat fallback, int maxEventBytes) {
        this.format = format;
        this.fallback = fallback;
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * The wire format, when fixed by the endpoint or recognised from the first payload; null before that.
     *
     * @return the format or null
     */
    public @Nullable WireFormat format() {
        return stream == null ? format : formatOfStream;
    }

    private @Nullable WireFormat formatOfStream;

    /**
     * Reads the next bytes of the body. The buffer's position, limit and content are left as they were.
     *
     * @param chunk the bytes between position and limit
     */
    public void feed(ByteBuffer chunk) {
        int pos = chunk.position();
        int rem = chunk.remaining();
        if (rem == 0) {
            return;
        }
        if (chunk.hasArray()) {
            feed(chunk.array(), chunk.arrayOffset() + pos, rem);
            return;
        }
        byte[] s = scratch;
        if (s == null) {
            s = new byte[Math.min(SCRATCH, Math.max(rem, 256))];
            scratch = s;
        }
        chunks++;
        for (int done = 0; done < rem; ) {
            int n = Math.min(s.length, rem - done);
            chunk.get(pos + done, s, 0, n);
            feedBytes(s, 0, n);
            done += n;
        }
    }

    /**
     * Reads the next bytes of the body from an array, which is neither changed nor kept.
     *
     * @param bytes the array
     * @param off first byte
     * @param len number of bytes
     */
    public void feed(byte[] bytes, int off, int len) {
        if (len <= 0) {
            return;
        }
        chunks++;
        feedBytes(bytes, off, len);
    }

    private void feedBytes(byte[] bytes, int off, int len) {
        if (finished) {
            return;
        }
        if (byteFraming == Framing.UNKNOWN) {
            int i = ByteScan.skipWs(bytes, off, off + len);
            if (i == off + len) {
                return; // blank so far
            }
            byteFraming = bytes[i] == '{' || bytes[i] == '[' ? Framing.JSON_SEQUENCE : Framing.SSE;
            len -= i - off;
            off = i;
        }
        try {
            if (byteFraming == Framing.SSE) {
                sse().feed(bytes, off, len);
            } else {
                seq().feed(bytes, off, len);
            }
        } catch (RuntimeException e) {
            malformed++; // a decoder bug must not reach the user's stream (events are guarded one by one)
        }
    }

    /**
     * Reads one decoded chunk; see the class description for what is understood. Anything else is ignored.
     *
     * @param chunk the chunk, not kept
     */
    @Override
    public void onChunk(@Nullable Object chunk) {
        if (chunk == null) {
            return;
        }
        try {
            onChunk(chunk, null);
        } catch (RuntimeException e) {
            malformed++;
        }
    }

    private void onChunk(Object chunk, @Nullable String eventName) {
        if (chunk instanceof Payload) {
            onString(chunk.toString(), eventName, true);
        } else if (chunk instanceof String) {
            onString((String) chunk, eventName, false);
        } else if (chunk instanceof byte[]) {
            byte[] b = (byte[]) chunk;
            feed(b, 0, b.length);
        } else if (chunk instanceof ByteBuffer) {
            feed((ByteBuffer) chunk);
        } else if (chunk instanceof JsonNode) {
            chunks++;
            onNode((JsonNode) chunk);
        } else if (chunk instanceof Map || chunk instanceof List) {
            chunks++;
            JsonNode node = JsonFields.tree(chunk);
            if (node == null) {
                malformed++;
            } else {
                onNode(node);
            }
        } else if (chunk instanceof CharSequence) {
            onString(chunk.toString(), eventName, false);
        } else {
            OtherValueType type = OtherValueType.of(chunk);
            if (type.kind() == OtherValueType.Kind.AWS_SDK) {
                chunks++;
                JsonNode node = AwsSdkValues.tree(chunk);
                if (node == null) {
                    malformed++;
                } else {
                    onNode(node);
                }
                return;
            }
            if (type.kind() == OtherValueType.Kind.FOREIGN_TREE) {
                onString(chunk.toString(), eventName, true);
                return;
            }
            SseAccessors accessors = SSE_ACCESSORS.get(chunk.getClass());
            if (accessors == null) {
                if (unknownType == null) {
                    unknownType = Objects.requireNonNull(type.unknownDetails()).readProblem();
                }
                return;
            }
            Object data;
            Object event;
            try {
                data = accessors.data().invoke(chunk);
                event = accessors.event().invoke(chunk);
            } catch (ReflectiveOperationException e) {
                malformed++;
                return;
            }
            if (data != null) {
                onChunk(data instanceof String ? new Payload((String) data) : data,
                        event instanceof String ? (String) event : null);
            }
        }
    }

    /** A ServerSentEvent's data: always one payload, never raw SSE text. */
    private static final class Payload implements CharSequence {
        final String text;

        Payload(String text) {
            this.text = text;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private void onString(String s, @Nullable String eventName, boolean payload) {
        if (payload && stringFraming == Framing.UNKNOWN) {
            stringFraming = Framing.JSON_SEQUENCE;
        }
        if (stringFraming == Framing.UNKNOWN) {
            String t = s.stripLeading();
            if (t.isEmpty()) {
                return;
            }
            // raw SSE text, or a JSON array split into lines (bodyToFlux(String) of a JSON body): read as bytes;
            // anything else is one payload (or whole NDJSON lines) per String
            stringFraming = startsWithSseField(t) ? Framing.SSE
                    : t.startsWith("[") ? Framing.SPLIT_JSON_ARRAY : Framing.JSON_SEQUENCE;
        }
        if (stringFraming == Framing.SSE || stringFraming == Framing.SPLIT_JSON_ARRAY) {
            if (byteFraming == Framing.UNKNOWN) {
                byteFraming = stringFraming == Framing.SSE ? Framing.SSE : Framing.JSON_SEQUENCE;
            }
            if (stringFraming == Framing.SSE && !endsWithLineBreak(s)) {
                s = s + "\n"; // one String is one line; "" is the blank line that ends an event
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            chunks++;
            feedBytes(b, 0, b.length);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        chunks++;
        if (eventName != null && !eventName.isEmpty()) {
            pendingName = eventName.getBytes(StandardCharsets.US_ASCII);
        }
        JsonSeqDecoder d = stringSeq;
        if (d == null) {
            d = new JsonSeqDecoder(sink, maxEventBytes);
            stringSeq = d;
        }
        d.feed(b, 0, b.length);
        d.finish(); // one String is one payload (or several whole NDJSON lines)
        pendingName = NO_NAME;
    }

    private static final byte[] NO_NAME = new byte[0];
    private byte[] pendingName = NO_NAME;

    private static boolean endsWithLineBreak(String s) {
        if (s.isEmpty()) {
            return false;
        }
        char c = s.charAt(s.length() - 1);
        return c == '\n' || c == '\r';
    }

    private static boolean startsWithSseField(String t) {
        return t.startsWith("data:") || t.startsWith("event:") || t.startsWith(":") || t.startsWith("id:")
                || t.startsWith("retry:");
    }

    private SseDecoder sse() {
        SseDecoder d = sse;
        if (d == null) {
            d = new SseDecoder(sink, maxEventBytes);
            sse = d;
        }
        return d;
    }

    private JsonSeqDecoder seq() {
        JsonSeqDecoder d = seq;
        if (d == null) {
            d = new JsonSeqDecoder(sink, maxEventBytes);
            seq = d;
        }
        return d;
    }

    private void onEvent(byte[] name, int nameLen, byte[] data, int dataLen) {
        try {
            FormatStream s = deliver(stream, name, nameLen, data, dataLen);
            if (s != null && stream == null) {
                stream = s;
                formatOfStream = createdFormat;
            }
        } catch (RuntimeException e) {
            malformed++; // one bad event: the next ones are still read
        }
    }

    /** Reads one payload into {@code s}, or into a new stream state when s is null; returns the state or null. */
    private @Nullable FormatStream deliver(@Nullable FormatStream s, byte[] name, int nameLen, byte[] data,
                                           int dataLen) {
        if (nameLen == 0 && pendingName.length > 0) {
            name = pendingName;
            nameLen = pendingName.length;
        }
        if (s != null) {
            s.onPayload(name, nameLen, data, 0, dataLen);
            return s;
        }
        if (format != null) {
            s = format.reader().newStream();
            createdFormat = format;
            s.onPayload(name, nameLen, data, 0, dataLen);
            return s;
        }
        int i = ByteScan.skipWs(data, 0, dataLen);
        if (i == dataLen || data[i] != '{' && data[i] != '[') {
            return null; // [DONE], empty: nothing to recognise a format by
        }
        JsonNode node = JsonFields.parse(data, 0, dataLen);
        if (node == null) {
            return null;
        }
        WireFormat f = formatFor(node);
        s = f.reader().newStream();
        createdFormat = f;
        s.onParsed(node);
        return s;
    }

    private WireFormat formatFor(JsonNode node) {
        WireFormat f = format;
        if (f == null) {
            f = WireFormat.detect(node);
        }
        if (f == null) {
            f = fallback != null ? fallback : WireFormat.OPENAI_CHAT;
        }
        return f;
    }

    /** The format of the stream state {@link #deliver} made last. */
    private @Nullable WireFormat createdFormat;

    private void onNode(JsonNode node) {
        FormatStream s = stream;
        if (s == null) {
            WireFormat f = formatFor(node);
            s = f.reader().newStream();
            stream = s;
            formatOfStream = f;
        }
        s.onParsed(node);
    }

    /**
     * What the stream has said so far, without ending it: the events read, plus an SSE event whose closing blank
     * line has not come (read from a copy of the state). Reading may go on after it.
     *
     * @return the details so far; usage null when the stream reported none
     */
    @Override
    public ResponseDetails details() {
        ResponseDetails d = readDetails();
        long bad = malformedEvents();
        if (bad == 0 && unknownType != null && d.usage() == null) {
            return d.withReadProblem("chunks of " + unknownType);
        }
        return bad == 0 ? d : d.withReadProblem(bad + (bad == 1 ? " malformed event" : " malformed events"));
    }

    private ResponseDetails readDetails() {
        try {
            FormatStream s = stream;
            SseDecoder d = sse;
            if (d != null && !finished) {
                FormatStream[] peeked = {null};
                boolean open = d.peek((name, nameLen, data, dataLen) ->
                        peeked[0] = deliver(s == null ? null : s.copy(), name, nameLen, data, dataLen));
                if (open && peeked[0] != null) {
                    return peeked[0].details();
                }
            }
            return s == null ? ResponseDetails.EMPTY : s.details();
        } catch (RuntimeException e) {
            malformed++;
            return ResponseDetails.EMPTY;
        }
    }

    /**
     * Ends the input and gives the final details: an SSE event whose closing blank line never came is read as it
     * is (the JSON parser decides whether it was complete); an unfinished JSON object is dropped. Input after it
     * is ignored; calling it again gives the same details.
     *
     * @return the final details; usage null when the stream reported none
     */
    @Override
    public ResponseDetails finish() {
        if (!finished) {
            try {
                if (sse != null) {
                    sse.finish();
                }
                if (seq != null) {
                    seq.finish();
                }
            } catch (RuntimeException e) {
                malformed++;
            }
            finished = true;
        }
        return details();
    }

    /**
     * Whether the format's own end of stream has been read: OpenAI-style {@code data: [DONE]}, Anthropic's
     * {@code message_stop}, the Responses API's {@code response.completed}, {@code .incomplete} or
     * {@code .failed}. A client that stops reading there (the official SDKs close the body without waiting for
     * the connection's end) has read the whole answer.
     *
     * @return true once the end event was read
     */
    public boolean ended() {
        FormatStream s = stream;
        return s != null && s.ended;
    }

    /**
     * Chunks read so far (byte chunks and decoded chunks).
     *
     * @return the count
     */
    public long chunks() {
        return chunks;
    }

    /**
     * Events or lines cut out of the wire bytes so far.
     *
     * @return the count
     */
    public long events() {
        return (sse == null ? 0 : sse.events()) + (seq == null ? 0 : seq.events());
    }

    /**
     * Events skipped because they were larger than the bound (their usage, if any, is lost).
     *
     * @return the count
     */
    public long oversizedEvents() {
        return (sse == null ? 0 : sse.oversized()) + (seq == null ? 0 : seq.oversized())
                + (stringSeq == null ? 0 : stringSeq.oversized());
    }

    /**
     * Payloads that were not valid JSON (truncated, invalid UTF-8, wrong nesting) and were skipped.
     *
     * @return the count
     */
    public long malformedEvents() {
        FormatStream s = stream;
        return malformed + (s == null ? 0 : s.malformed) + (seq == null ? 0 : seq.broken())
                + (stringSeq == null ? 0 : stringSeq.broken());
    }

    /**
     * Payloads parsed as JSON so far; the rest were skipped by the cheap byte test.
     *
     * @return the count
     */
    public long parsedEvents() {
        FormatStream s = stream;
        return s == null ? 0 : s.parsed;
    }

    @Override
    public String toString() {
        return "StreamReader{format=" + format() + ", chunks=" + chunks + ", events=" + events() + ", parsed="
                + parsedEvents() + ", malformed=" + malformedEvents() + ", oversized=" + oversizedEvents() + '}';
    }
}
