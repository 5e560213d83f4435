package dev.spectra.reactive.testsupport.fuzz;

/**
 * What a fuzz case did to its fixture, and why its usage cannot be read. A <em>usage member</em> is an object
 * member whose key is one of {@link FuzzCorpus#USAGE_KEYS}, at any depth: every built-in wire format reads usage
 * only through such members (OpenAI {@code usage} and {@code x_groq.usage}, Anthropic {@code usage}, Gemini
 * {@code usageMetadata}, Ollama {@code prompt_eval_count}/{@code eval_count}, Cohere {@code usage}/{@code meta}
 * with {@code billed_units}/{@code tokens}, images {@code data}, audio {@code duration}), and only through the
 * tolerant accessors that take an object for an object, a non-negative integral number within {@code long} for a
 * count, an array for {@code data}.
 *
 * <p>A case whose categories include a <em>killer</em> must be recorded with usage unknown ({@code usage == null})
 * in every representation (whole value, decoded payloads, raw lines, byte chunks, HTTP). A case with only
 * <em>legitimate</em> changes must give exactly the usage of the unchanged fixture read the same way.
 *
 * <p>Killers combine, and are combined with legitimate changes, and with a truncation or a random tail anywhere
 * (a deletion of a suffix or bytes without {@code "} cannot form a usage member, so the other killer's guarantee
 * still holds; a truncation anywhere only with a killer that {@link #survivesCuts() survives cuts}).
 */
public enum Category {

    /**
     * Cut at a random byte before the first usage member (anywhere when the fixture has none). Guarantee: no
     * usage key is in the bytes at all. (Combined with another killer: cut anywhere.)
     */
    TRUNCATED(true),
    /**
     * Bytes drawn at random (uniform, or from a JSON and SSE-like alphabet, sometimes behind an SSE field), never
     * containing <code>{</code>. Guarantee: without <code>{</code> there is no JSON object, so no member at all.
     */
    RANDOM_BYTES(true),
    /**
     * The fixture cut before its first usage member, followed by random bytes without {@code "}. Guarantee: the
     * prefix holds no usage key and no key (a string) can be formed in the tail.
     */
    RANDOM_TAIL(true),
    /**
     * Every usage member, key through value, overwritten by random bytes (0 to 2x its length, CR and LF
     * included) without {@code "}. Guarantee: no usage key survives, none can be formed, and the quotes of the
     * rest keep their pairing (the overwritten range started and ended outside a string).
     */
    RANDOM_SPLICE(true),
    /**
     * Every usage member's value replaced by a value of another JSON type: for an object, a string holding JSON,
     * an array holding the object, a number, a boolean, null; for a count, a string, an array, an object, a
     * boolean, null; for {@code data}, anything but an array. Guarantee: the accessors return null for a wrong
     * type, never coerce.
     */
    WRONG_TYPE_VALUE(true),
    /**
     * Every number inside every usage member replaced by a string ({@code "12"}), an array, an object, a boolean
     * or null; a usage value that is itself a count or an array is replaced whole. Guarantee: no count or
     * decimal is left, and every reader needs one (input, output, thoughts, seconds ...) to state a usage.
     */
    WRONG_TYPE_FIELDS(true),
    /**
     * Every number inside every usage member replaced by one no count or duration can be: beyond {@code long}
     * ({@code 99999999999999999999999}, {@code 9223372036854775808}), negative ({@code -1}), fractional
     * ({@code 12.5}), {@code 1e400}, {@code 1e-400}, {@code 1e999999999}, {@code 1e-999999999}, 1,001 digits, NaN
     * and Infinity as strings and as bare tokens.
     * Guarantee: a count must be a non-negative integral number within {@code long}, a duration a non-negative
     * number within {@code long} with at most 16,383 decimal places (so {@code 1e-999999999} is out of range for
     * a duration too; {@code 12.5} and {@code 1e-400} are real durations and not used for them); bare NaN and an
     * over-long number make the document invalid.
     */
    HUGE_NUMBERS(true),
    /**
     * An invalid UTF-8 sequence (a lone continuation byte, an overlong encoding, an encoded surrogate, a truncated
     * sequence, 0xFE, 0xFF) right after the <code>{</code> (or <code>[</code>) of every usage value, or before it
     * when it is a scalar; plus a few more anywhere. Guarantee: a byte above 0x7F outside a string is invalid
     * JSON (RFC 8259), so the document holding the usage cannot be parsed; decoded to a Java String it becomes
     * U+FFFD, which is just as invalid there.
     */
    INVALID_UTF8(true),
    /**
     * SSE: the {@code data:} field name removed from every data line whose payload holds a usage member (and
     * from some others); a comment line is put first when the stream would otherwise start with <code>{</code>.
     * Guarantee: per the SSE spec such a line's field name is the text up to its first colon, not {@code data},
     * so it adds no data.
     */
    SSE_NO_DATA_FIELD(true),
    /**
     * SSE: every blank line removed (only on streams with two data lines or more). Guarantee: the whole stream
     * is one event; read raw, its data is several JSON texts joined by LF, which is not one JSON text; a
     * decoder that follows the spec discards an event that no blank line ended, so it hands over nothing.
     */
    SSE_NO_BLANK_LINES(true),
    /** SSE: every line end made a lone CR. Legitimate (the spec allows CR): the usage is the original's. */
    SSE_CR_ONLY(false),
    /** Every line end made CRLF. Legitimate for SSE and NDJSON: the usage is the original's. */
    CRLF(false),
    /** SSE: comment lines ({@code : ...}) inserted at random line starts. Legitimate: the original's usage. */
    SSE_COMMENTS(false),
    /** NDJSON: blank lines inserted between lines. Legitimate: the original's usage. */
    NDJSON_BLANK_LINES(false);

    private final boolean killer;

    Category(boolean killer) {
        this.killer = killer;
    }

    /**
     * @return whether this change alone makes the usage unreadable
     */
    public boolean killer() {
        return killer;
    }

    /**
     * Whether the usage stays unreadable in every prefix of the case too (a stream cut by an error, a dropped
     * connection or a cancellation). True for every killer but {@link #SSE_NO_BLANK_LINES}: cut after its first
     * data line, the one open event holds a single JSON text, which a reader rightly takes (an event cut before its
     * blank line is read as it is).
     *
     * @return whether a cut keeps the guarantee
     */
    public boolean survivesCuts() {
        return killer && this != SSE_NO_BLANK_LINES;
    }
}
