package dev.spectra.reactive.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Scrubs credentials out of text before it is recorded, whatever their shape:
 *
 * <ul>
 *   <li>by name: JSON members ({@code "apiKey": "…"}, also escaped inside a JSON string and single-quoted),
 *       {@code name=value} pairs (query strings, forms, connection strings) and {@code name: value} (headers,
 *       logs) whose name means a credential, in any case or separator style, as {@link MetadataRedactor} decides
 *       for metadata keys; an auth scheme ({@code Bearer}, {@code Basic}) before the value goes with it, and a
 *       list after the name ({@code {password=[…]}}, {@code "password":[…]}) goes whole;</li>
 *   <li>by shape: provider keys ({@code sk-…}, {@code sk-ant-…}, {@code AIza…}, {@code gsk_…}, {@code xai-…},
 *       {@code hf_…}, {@code r8_…}, {@code pplx-…} and others), AWS access key ids, JWTs, GitHub, Slack, Stripe
 *       and Google OAuth tokens, also right after a JSON escape ({@code \n}), bearer and basic credentials, the
 *       password in a URL's user info (also with JSON's escaped slashes) and a user name that is a token;</li>
 *   <li>in free text (error messages, captured payloads): high-entropy tokens, such as 32-hex Azure keys or
 *       32-character alphanumeric keys, told from words and identifiers by their length (at least 20 letters
 *       and digits), their mix of characters, and how little of them reads as words. Well-known response and
 *       request ids ({@code chatcmpl-…}, {@code req_…}, {@code msg_…}) and UUIDs are kept.</li>
 * </ul>
 *
 * A text cut at a limit never keeps the start of a token cut there: the partial token is dropped, so a key cut
 * short leaves not even its prefix. Every secret is replaced by {@value #REDACTED}.
 */
public final class SecretScrubber {

    /** Longest error message kept, in characters. */
    public static final int MAX_MESSAGE_LENGTH = 2000;

    /** What a secret is replaced with. */
    public static final String REDACTED = MetadataRedactor.REDACTED;

    private static final MetadataRedactor DEFAULT_NAMES = new MetadataRedactor(MetadataRedactor.DEFAULT_KEYS);
    private static final String DIGEST_PREFIX = "sha256:";
    private static final int DIGEST_HEX_DIGITS = 32;

    /** A name, optionally quoted (also as {@code \"} inside a JSON string), then {@code :} or {@code =}. */
    private static final Pattern NAME_THEN_VALUE = Pattern.compile(
            "(?<![A-Za-z0-9_.\\-])(\\\\?[\"']?)([A-Za-z_][A-Za-z0-9_.\\-]{0,100})\\1[ \\t]*[:=][ \\t]*");
    private static final Pattern SCHEME = Pattern.compile("(?i)(?:bearer|basic|token|digest|apikey)[ \\t]+");
    private static final Pattern BEARER = Pattern.compile(
            "(?i)(\\b(?:bearer|basic)[ \\t]+)(?!\\[REDACTED\\])[A-Za-z0-9._~+/=-]{6,}");
    /** {@code scheme://user:password@}, also with JSON's escaped slashes ({@code :\/\/}). */
    private static final Pattern URL_USER_INFO = Pattern.compile(
            "(?i)(\\b[a-z][a-z0-9+.-]{1,20}:(?:\\\\?/){2}[^/\\\\\\s:@\"'<>]{0,100}:)(?!\\[REDACTED\\])"
            + "[^@\\s/\"'<>]+@");
    /** {@code scheme://name@}: a user name that looks random is a token ({@code https://ghp_…@}), a word is not. */
    private static final Pattern URL_TOKEN_USER = Pattern.compile(
            "(?i)\\b[a-z][a-z0-9+.-]{1,20}:(?:\\\\?/){2}([A-Za-z0-9._~+%-]{20,})@");
    /**
     * Known key shapes, each starting at a word boundary or right after an escape of JSON's ({@code \n},
     * {@code \t} ...), so that a key on a new line of a JSON string is found too.
     */
    private static final Pattern KEY_SHAPES = Pattern.compile("(?:(?<=\\\\[nrtbf])|\\b)(?:"
            + "sk-(?:ant-|proj-|svcacct-|admin-|or-)?[A-Za-z0-9_-]{16,}"
            + "|sk_(?:live_|test_)?[A-Za-z0-9]{16,}"
            + "|AIza[0-9A-Za-z_-]{30,}"
            + "|gsk_[A-Za-z0-9]{20,}"
            + "|xai-[A-Za-z0-9]{20,}"
            + "|(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}"
            + "|eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*"
            + "|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
            + "|hf_[A-Za-z0-9]{30,}|r8_[A-Za-z0-9]{30,}|pplx-[A-Za-z0-9]{30,}|fw_[A-Za-z0-9]{20,}"
            + "|pa-[A-Za-z0-9_-]{30,}|nvapi-[A-Za-z0-9_-]{30,}|glpat-[A-Za-z0-9_-]{20,}"
            + "|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}"
            + "|rk_(?:live|test)_[A-Za-z0-9]{16,}|ya29\\.[A-Za-z0-9_-]{20,}"
            + ")");

    /**
     * The literal start of each {@link #KEY_SHAPES} alternative (or a part of it): a value that holds none of them
     * holds no key shape, and is not run through the pattern (no matcher is allocated for ids, models and paths).
     */
    private static final String[] KEY_SHAPE_STARTS = {"sk-", "sk_", "AIza", "xai-", "AKIA", "ASIA", "ABIA", "ACCA",
        "eyJ", "gh", "github_pat_", "hf_", "r8_", "pplx-", "fw_", "pa-", "nvapi-", "glpat-", "xox", "xapp-",
        "rk_live_", "rk_test_", "ya29."};
    /**
     * {@link #KEY_SHAPE_STARTS} by their first character (all ASCII), and their first two characters as a set of
     * {@link #pair}s: a value is searched for all of them in one pass, with one bit test a character.
     */
    private static final String[][] STARTS_BY_FIRST = new String[128][];
    private static final long[] START_PAIRS = new long[(1 << 14) / 64];

    static {
        for (String start : KEY_SHAPE_STARTS) {
            int pair = pair(start.charAt(0), start.charAt(1));
            START_PAIRS[pair >>> 6] |= 1L << pair;
            String[] same = STARTS_BY_FIRST[start.charAt(0)];
            String[] with = same == null ? new String[1] : Arrays.copyOf(same, same.length + 1);
            with[with.length - 1] = start;
            STARTS_BY_FIRST[start.charAt(0)] = with;
        }
    }

    /** A run of characters a key can be made of; the candidates of the entropy check. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9+/=_-]{20,}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9]{20,}");
    private static final Pattern WORD = Pattern.compile("[A-Z]?[a-z]{4,}|[A-Z]{5,}");
    /** Ids that providers put in answers and error messages, long and random but no credential. */
    private static final List<String> ID_PREFIXES = List.of("chatcmpl-", "cmpl-", "req_", "msg_", "resp_",
            "toolu_", "call_", "run_", "file-", "batch_", "asst_", "thread_", "step_", "gen-", "ft-", "fp_");

    private SecretScrubber() {
    }

    /**
     * Free text (an error message) with credentials replaced by {@value #REDACTED}, cut to
     * {@value #MAX_MESSAGE_LENGTH} characters.
     *
     * @param text free text, may be null
     * @return the scrubbed text, null for null
     */
    public static @Nullable String scrub(@Nullable String text) {
        return scrub(text, MAX_MESSAGE_LENGTH);
    }

    /**
     * Free text with credentials replaced by {@value #REDACTED}, cut to {@code maxLength} characters (the last
     * one an ellipsis when cut): for longer free text than error messages, such as captured payloads.
     *
     * @param text free text, may be null
     * @param maxLength the longest result, at least 1
     * @return the scrubbed text, null for null
     * @throws IllegalArgumentException when maxLength is less than 1
     */
    public static @Nullable String scrub(@Nullable String text, int maxLength) {
        return scrub(text, maxLength, false, DEFAULT_NAMES);
    }

    /**
     * Free text that may be the start of a longer one, with credentials replaced by {@value #REDACTED}, cut to
     * {@code maxLength} characters (the last one an ellipsis when cut).
     *
     * @param text free text, may be null
     * @param maxLength the longest result, at least 1
     * @param alreadyCut whether the text is the start of a longer one (its last token may be a key cut short:
     *        it is dropped)
     * @return the scrubbed text, null for null
     * @throws IllegalArgumentException when maxLength is less than 1
     */
    public static @Nullable String scrub(@Nullable String text, int maxLength, boolean alreadyCut) {
        return scrub(text, maxLength, alreadyCut, DEFAULT_NAMES);
    }

    /**
     * Free text with credentials replaced by {@value #REDACTED}, cut to {@code maxLength} characters (the last
     * one an ellipsis when cut).
     *
     * @param text free text, may be null
     * @param maxLength the longest result, at least 1
     * @param alreadyCut whether the text is the start of a longer one (its last token may be a key cut short:
     *        it is dropped)
     * @param names the names of credentials besides the built-in ones (a tracker's redaction keys)
     * @return the scrubbed text, null for null
     * @throws IllegalArgumentException when maxLength is less than 1
     */
    public static @Nullable String scrub(@Nullable String text, int maxLength, boolean alreadyCut,
                                         MetadataRedactor names) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1, was " + maxLength);
        }
        if (text == null) {
            return null;
        }
        long window = Math.min(Integer.MAX_VALUE - 1, (long) maxLength * 2);
        boolean cut = alreadyCut;
        String s = text;
        if (s.length() > window) {
            s = s.substring(0, (int) window);
            cut = true;
        }
        if (cut) {
            s = withoutPartialToken(s);
        }
        s = scrubAll(s, names, true);
        if (s.length() >= maxLength && (cut || s.length() > maxLength)) {
            return withoutPartialToken(s.substring(0, maxLength - 1)) + "…";
        }
        return cut ? s + "…" : s;
    }

    /**
     * A stored value that is not free text (an id, a model name, a tag, a metadata string) with credentials
     * replaced: by name and by shape; by entropy only when the value holds whitespace (a sentence, not an id),
     * so trace ids, hashes and UUIDs are kept.
     *
     * @param value the value
     * @param names the names of credentials besides the built-in ones
     * @return the value, the same instance when nothing was found
     */
    public static String scrubValue(String value, MetadataRedactor names) {
        // shorter than the shortest key shape (a Slack token, 15 characters) and no name before a value
        if (value.length() < 5 || (value.length() < 15 && value.indexOf('=') < 0 && value.indexOf(':') < 0)) {
            return value;
        }
        boolean freeText = false;
        boolean pairs = false;
        boolean keyStart = false;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= '\u1680') { // no whitespace lies between
                freeText |= Character.isWhitespace(c);
            } else if (c == ':' || c == '=') {
                pairs = true;
            } else if (!keyStart) {
                keyStart = startsAt(value, i);
            }
        }
        if (freeText || pairs) {
            String s = scrubAll(value, names, freeText);
            return s.equals(value) ? value : s;
        }
        // an id, a model or a path (no separator, no space) can only hold a credential of a known shape
        return keyStart ? replaceKeyShapes(value) : value;
    }

    /**
     * A value that tells things apart (a budget's subject, an owner's id), kept apart from every other value without
     * being stored: the value itself when it is no credential, else {@code sha256:} and the first 32 hex digits of
     * its SHA-256, the same for the same value in every process. It is a credential when its name is one by the
     * built-in names ({@code api_key}, {@code token} ...: the same whatever a tracker's redaction keys, so that
     * records, budgets and queries agree without sharing settings) or when it holds a key's shape or name;
     * {@value #REDACTED} in its place would merge every credential into one subject. A digest is its own: a query
     * may name an owner by the digest it was listed under.
     *
     * @param name what the value is, e.g. a metadata key or an owner type
     * @param value the value
     * @return the value, the same instance when it is no credential or already a digest, else its digest
     */
    public static String identifying(String name, String value) {
        if (isDigest(value)
                || !DEFAULT_NAMES.isSecret(name) && scrubValue(value, DEFAULT_NAMES) == value) {
            return value;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return DIGEST_PREFIX + HexFormat.of().formatHex(digest, 0, DIGEST_HEX_DIGITS / 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Whether a value has the form {@link #identifying} gives a credential: {@code sha256:} and 32 hex digits. */
    private static boolean isDigest(String value) {
        if (value.length() != DIGEST_PREFIX.length() + DIGEST_HEX_DIGITS || !value.startsWith(DIGEST_PREFIX)) {
            return false;
        }
        for (int k = DIGEST_PREFIX.length(); k < value.length(); k++) {
            char c = value.charAt(k);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private static String scrubAll(String text, MetadataRedactor names, boolean freeText) {
        String s = URL_USER_INFO.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(REDACTED) + "@");
        s = tokenUserNames(s);
        s = byName(s, names);
        s = BEARER.matcher(s).replaceAll("$1" + Matcher.quoteReplacement(REDACTED));
        s = keyShapes(s);
        return freeText ? highEntropy(s) : s;
    }

    /** Replaces each URL user name that is a token: a key's shape, or random by {@link #looksLikeKey}. */
    private static String tokenUserNames(String s) {
        Matcher m = URL_TOKEN_USER.matcher(s);
        StringBuilder out = null;
        int copied = 0;
        while (m.find()) {
            String user = m.group(1);
            if (!looksLikeKey(user) && keyShapes(user) == user) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, m.start(1)).append(REDACTED);
            copied = m.end(1);
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /** Replaces every key shape; the same instance when the value cannot hold one. */
    static String keyShapes(String s) {
        return holdsKeyShapeStart(s) ? replaceKeyShapes(s) : s;
    }

    /** Every key shape replaced; the same instance when none matches. */
    private static String replaceKeyShapes(String s) {
        return KEY_SHAPES.matcher(s).replaceAll(Matcher.quoteReplacement(REDACTED));
    }

    /**
     * Whether a value holds the start of a key shape ({@code sk-}, {@code AIza}, {@code xai-} ...), anywhere.
     *
     * @param s the value
     * @return whether it does
     */
    public static boolean holdsKeyShapeStart(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (startsAt(s, i)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of {@link #KEY_SHAPE_STARTS} starts at {@code i}. */
    private static boolean startsAt(String s, int i) {
        if (i + 1 >= s.length()) {
            return false; // every start is at least two characters long
        }
        int pair = pair(s.charAt(i), s.charAt(i + 1));
        if (pair < 0 || (START_PAIRS[pair >>> 6] & (1L << pair)) == 0) {
            return false;
        }
        for (String start : STARTS_BY_FIRST[s.charAt(i)]) {
            if (s.startsWith(start, i)) {
                return true;
            }
        }
        return false;
    }

    /** Two ASCII characters as one number below 2^14; -1 for any other. */
    private static int pair(char first, char second) {
        return (first | second) < 128 ? first << 7 | second : -1;
    }

    /** Replaces the value after each name that means a credential. */
    private static String byName(String s, MetadataRedactor names) {
        Matcher m = NAME_THEN_VALUE.matcher(s);
        StringBuilder out = null;
        int copied = 0;
        int from = 0;
        while (from < s.length() && m.find(from)) {
            from = m.end();
            String name = m.group(2);
            if (!DEFAULT_NAMES.isSecret(name) && !names.isSecret(name)) {
                continue;
            }
            int[] v = value(s, m.end(), MetadataRedactor.normalise(name).endsWith("cookie"));
            if (v == null || s.startsWith(REDACTED, v[0])) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length() + 16);
            }
            out.append(s, copied, v[0]).append(REDACTED);
            copied = v[1];
            from = Math.max(from, v[1]);
        }
        if (out == null) {
            return s;
        }
        return out.append(s, copied, s.length()).toString();
    }

    /**
     * Where the value starting at {@code i} lies: a quoted string to its closing quote (or the end, when cut), a
     * list to its closing bracket ({@code "password":["…"]}, or {@code {password=[…]}} as a map of header values
     * prints), else a bare word after an optional auth scheme; null for none, an object, or a JSON literal.
     */
    private static int @Nullable [] value(String s, int i, boolean toEndOfLine) {
        int n = s.length();
        if (i >= n) {
            return null;
        }
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < n && s.charAt(i + 1) == '"') {
            int end = s.indexOf("\\\"", i + 2);
            return span(i + 2, end < 0 ? n : end);
        }
        if (c == '"' || c == '\'') {
            int j = i + 1;
            while (j < n && s.charAt(j) != c) {
                j += s.charAt(j) == '\\' && c == '"' ? 2 : 1;
            }
            return span(i + 1, Math.min(j, n));
        }
        if (s.startsWith(REDACTED, i)) {
            return null; // scrubbed before: scrubbing again changes nothing
        }
        if (c == '[') {
            return span(i + 1, listEnd(s, i));
        }
        if (c == '{') {
            return null;
        }
        Matcher scheme = SCHEME.matcher(s).region(i, n);
        int j = scheme.lookingAt() ? scheme.end() : i; // the scheme goes with the credential: "Bearer …"
        while (j < n && !endsBareValue(s.charAt(j), toEndOfLine)) {
            j++;
        }
        String v = s.substring(i, j);
        if (v.equals("null") || v.equals("true") || v.equals("false")) {
            return null;
        }
        return span(i, j);
    }

    /** Where the list opened at {@code open} closes (its nested lists and quoted strings skipped), or the end. */
    private static int listEnd(String s, int open) {
        int depth = 0;
        int j = open;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '"') {
                j++;
                while (j < s.length() && s.charAt(j) != '"') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
            } else if (c == '[') {
                depth++;
            } else if (c == ']' && --depth == 0) {
                return j;
            }
            j++;
        }
        return s.length();
    }

    private static int @Nullable [] span(int start, int end) {
        return end > start ? new int[] {start, end} : null;
    }

    private static boolean endsBareValue(char c, boolean toEndOfLine) {
        if (toEndOfLine) {
            return c == '\n' || c == '\r' || c == '"' || c == '\'';
        }
        return Character.isWhitespace(c) || ",;&\"'<>(){}[]\\".indexOf(c) >= 0;
    }

    /** Replaces tokens that look random (keys without a known shape or name). */
    private static String highEntropy(String s) {
        Matcher m = TOKEN.matcher(s);
        StringBuilder out = null;
        int copied = 0;
        while (m.find()) {
            String token = m.group();
            if (!looksLikeKey(token)) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, m.start()).append(REDACTED);
            copied = m.end();
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /**
     * Whether a token is likely a key: a known id prefix is not; else a run of at least 20 letters and digits in
     * it (or, for a token with {@code +} or {@code /}, base64, the whole token without them) that mixes digits
     * and letters or both cases, is not a repetition, and reads less than 60 % as words.
     */
    static boolean looksLikeKey(String token) {
        for (String p : ID_PREFIXES) {
            if (token.startsWith(p)) {
                return false;
            }
        }
        Matcher seg = SEGMENT.matcher(token);
        while (seg.find()) {
            if (random(seg.group())) {
                return true;
            }
        }
        if (token.length() >= 30 && (token.indexOf('+') >= 0 || token.indexOf('/') >= 0)) {
            String joined = token.replaceAll("[+/=_-]", "");
            return joined.length() >= 20 && random(joined);
        }
        return false;
    }

    private static boolean random(String s) {
        int digits = 0;
        int upper = 0;
        int lower = 0;
        int[] counts = new int[128];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c >= 'A' && c <= 'Z') {
                upper++;
            } else {
                lower++;
            }
            counts[c & 0x7F]++;
        }
        if (upper + lower == 0 || (digits == 0 && (upper == 0 || lower == 0))) {
            return false;
        }
        double entropy = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / s.length();
                entropy -= p * Math.log(p) / Math.log(2);
            }
        }
        if (entropy < 2.5) {
            return false;
        }
        int wordy = 0;
        Matcher w = WORD.matcher(s);
        while (w.find()) {
            wordy += w.end() - w.start();
        }
        return wordy < 0.6 * s.length();
    }

    /**
     * The last token of a text: its run of letters, digits and the characters keys use at its end.
     *
     * @param text the text
     * @return the token, empty when the text ends in another character
     */
    public static String lastToken(String text) {
        return text.substring(withoutPartialToken(text).length());
    }

    /**
     * Whether a token the text was cut in could be the start of a key: it holds a key shape's start, or it is at
     * least six characters long and mixes letters with digits, or upper with lower case, at least twice each (a
     * word such as {@code assistant} or {@code content_block_delta} does not).
     *
     * @param token a token, see {@link #lastToken}
     * @return whether to drop it
     */
    public static boolean couldStartAKey(String token) {
        if (holdsKeyShapeStart(token)) {
            return true;
        }
        if (token.length() < 6) {
            return false;
        }
        int digits = 0;
        int upper = 0;
        int lower = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (Character.isUpperCase(c)) {
                upper++;
            } else if (Character.isLowerCase(c)) {
                lower++;
            }
        }
        return digits >= 2 && upper + lower >= 2 || upper >= 2 && lower >= 2;
    }

    /** The text without its last token (letters, digits and the characters keys use), cut there. */
    private static String withoutPartialToken(String s) {
        int end = s.length();
        while (end > 0 && isTokenChar(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    private static boolean isTokenChar(char c) {
        return Character.isLetterOrDigit(c) || "+/=_-.~".indexOf(c) >= 0;
    }

    /**
     * A URL's path without query string or fragment (Gemini sends the API key as {@code ?key=}).
     *
     * @param pathAndQuery a path, possibly with {@code ?query} or {@code #fragment}
     * @return the path alone
     */
    public static String pathOnly(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        int h = pathAndQuery.indexOf('#');
        int end = q < 0 ? h : h < 0 ? q : Math.min(q, h);
        return end < 0 ? pathAndQuery : pathAndQuery.substring(0, end);
    }
}
