package dev.spectra.reactive.internal.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.spectra.reactive.internal.SecretScrubber;
import org.jspecify.annotations.Nullable;

/**
 * Credentials a streamed answer splits across its events, redacted in the captured stream. A model that writes a
 * key into its answer sends it a few characters an event ({@code "content":"sk-pr"}, then {@code "content":"oj-"},
 * ...), so no one event holds it and scrubbing the captured text finds nothing.
 *
 * <p>Here the string values of each member, keyed by the objects it is in (see {@link #values}), are joined in the
 * order they came, as the answer's reader would join them, and each key's joined text is scrubbed as free text
 * ({@link SecretScrubber#scrub}). A value that has never changed (an id, a model, a type repeated by every event) is joined
 * once; once a key's values have changed, each is joined, repeats too, so that no piece of a key goes missing. The
 * random padding of OpenAI's and Mistral's events is not joined at all. Where the scrubber changes a joined text, every
 * value from the first to the last one holding a changed character is replaced by {@value SecretScrubber#REDACTED} in
 * the capture; a repeat counts as the value it repeats. Everything else is kept as it came.
 *
 * <p>When the capture is the start of a longer stream, a key whose values have changed, the last one not a repeat,
 * may go on past it with a key cut short at its end: when the joined text's last token could start a key
 * ({@link SecretScrubber#couldStartAKey}), it is dropped as the scrubber drops the last token of a cut text, and the
 * values holding it are redacted (a value the capture ends inside is left out, the capture ending where it began).
 * A last token of words ({@code content_block_delta}, {@code assistant}) stays. A key of one value goes on only
 * when that value is the capture's last and its last token holds a key shape's start; an id or a model named once
 * stays.
 *
 * <p>The values are found by quotes, not by parsing: a string followed by a colon is a member name, and a string
 * right after a name and its colon is that name's value. That reads SSE {@code data:} lines, NDJSON and JSON arrays
 * alike, and a last value the capture cuts short.
 */
final class SplitSecrets {

    /**
     * The members that pad stream events to hide their lengths and hold no text of the answer: OpenAI's
     * {@code "obfuscation":"Ui6T7ZRgUUHBz"} and Mistral's {@code "p":"abcdef"}. Joined, they read as a key and would
     * be redacted for nothing.
     */
    private static final Set<String> PADDING = Set.of("obfuscation", "p");

    /** Large enough that the scrubber never cuts a joined text. */
    private static final int NO_LIMIT = Integer.MAX_VALUE / 4;

    private SplitSecrets() {
    }

    /**
     * @param capture the first characters of a streamed answer
     * @param cut whether the stream went on past them
     * @return the capture with the values holding a split credential redacted; the same instance when none does
     */
    static String redact(String capture, boolean cut) {
        List<Value> values = values(capture);
        Map<String, Joined> byKey = new LinkedHashMap<>();
        @Nullable Value last = null;
        for (Value v : values) {
            if (!PADDING.contains(v.name)) {
                byKey.computeIfAbsent(v.key, k -> new Joined()).add(v, capture);
                last = v;
            }
        }
        boolean[] redacted = new boolean[values.size()];
        boolean any = false;
        for (Joined j : byKey.values()) {
            any |= j.redact(redacted, cut ? last : null);
        }
        if (!any) {
            return capture;
        }
        StringBuilder out = new StringBuilder(capture.length());
        int copied = 0;
        for (int i = 0; i < values.size(); i++) {
            if (redacted[i]) {
                Value v = values.get(i);
                out.append(capture, copied, v.start);
                if (v.end == capture.length()) { // cut inside: the capture ends where it began, as a cut text does
                    return out.toString();
                }
                out.append(SecretScrubber.REDACTED);
                copied = v.end;
            }
        }
        return out.append(capture, copied, capture.length()).toString();
    }

    /**
     * The string values that follow a member name, in order, each keyed by its path (the names of the objects and
     * arrays it is in and its own, joined by dots) and the indexes named before it in the objects it is in:
     * {@code choices.delta.content#index=0;}. So a response id and a tool call's id, or the ids and texts of two
     * choices, content blocks or tool calls, are told apart, while the same member of each event of a stream (an
     * SSE or NDJSON line, an element of a JSON array) has one key.
     */
    static List<Value> values(String s) {
        List<Value> values = new ArrayList<>();
        ArrayDeque<Container> open = new ArrayDeque<>();
        int n = s.length();
        @Nullable String name = null;
        String items = ""; // the indexes named so far in the open objects (index=0;), which tell items apart
        int valueAt = -1; // where a value right after the last name and its colon starts
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c != '"') {
                if (c == '{' || c == '[') {
                    String prefix = open.isEmpty() ? "" : open.peek().path;
                    open.push(new Container(name != null && valueAt == i ? prefix + name + "." : prefix, items));
                    name = null;
                } else if ((c == '}' || c == ']') && !open.isEmpty()) {
                    items = open.pop().itemsBefore; // an index named inside counts no more
                }
                i++;
                continue;
            }
            int start = i + 1;
            int j = start;
            while (j < n && s.charAt(j) != '"') {
                j += s.charAt(j) == '\\' ? 2 : 1;
            }
            boolean unclosed = j >= n;
            int end = Math.min(j, n);
            int after = unclosed ? n : skipWhitespace(s, end + 1);
            if (!unclosed && after < n && s.charAt(after) == ':') {
                name = s.substring(start, end);
                valueAt = skipWhitespace(s, after + 1);
                i = after + 1;
                int digits = valueAt;
                while (digits < n && s.charAt(digits) >= '0' && s.charAt(digits) <= '9') {
                    digits++;
                }
                if (digits > valueAt && (name.equals("index") || name.endsWith("_index"))) {
                    items += name + '=' + s.substring(valueAt, digits) + ';';
                    name = null;
                    i = digits;
                }
                continue;
            }
            if (name != null && valueAt == i) {
                String path = (open.isEmpty() ? "" : open.peek().path) + name;
                values.add(new Value(name, items.isEmpty() ? path : path + '#' + items, start, end, unclosed,
                        values.size()));
            }
            name = null;
            i = unclosed ? n : end + 1;
        }
        return values;
    }

    /** An open object or array: the path of the values in it, and the indexes named before it opened. */
    private record Container(String path, String itemsBefore) {
    }

    private static int skipWhitespace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * A member's string value in the capture: the member's name, the key its values are joined under (see
     * {@link #values}), its characters between {@code start} and {@code end}, without the quotes (to the capture's
     * end when the capture ends inside the value: {@code unclosed}), and its position among all values.
     */
    record Value(String name, String key, int start, int end, boolean unclosed, int index) {
    }

    /** The values of one key, joined. */
    private static final class Joined {
        private final StringBuilder text = new StringBuilder();
        /** The values joined, each with where it starts in {@link #text}. */
        private final List<Value> joined = new ArrayList<>();
        private final List<Integer> offsets = new ArrayList<>();
        /** Every non-empty value of this key, with the index in {@link #joined} of the value it is or repeats. */
        private final List<Value> all = new ArrayList<>();
        private final List<Integer> joinedIndex = new ArrayList<>();
        private @Nullable String previous;
        private boolean changed;
        private boolean lastRepeated;

        void add(Value v, String capture) {
            if (v.start == v.end) {
                return; // holds nothing
            }
            String value = capture.substring(v.start, v.end);
            all.add(v);
            // a value cut short that starts the one before it is that value again, as far as it goes
            lastRepeated = previous != null && (value.equals(previous) || v.unclosed && previous.startsWith(value));
            if (lastRepeated && !changed) { // a value that has never changed (an id, a model) is joined once
                joinedIndex.add(joined.size() - 1);
                return;
            }
            changed |= previous != null && !lastRepeated;
            previous = value;
            offsets.add(text.length());
            joined.add(v);
            joinedIndex.add(joined.size() - 1);
            text.append(value);
        }

        /**
         * Whether a text cut with the capture may have been cut inside a key: a text whose values have changed, the
         * last one not a repeat, when its last token could start a key; a text of one value that is the capture's
         * last, when that token holds a key shape's start (an id or a model named once, followed by other values,
         * does not go on).
         */
        private boolean cutInsideAKey(Value lastOfCapture, String in) {
            if (all.isEmpty() || lastRepeated) {
                return false;
            }
            String token = SecretScrubber.lastToken(in);
            if (changed) {
                return SecretScrubber.couldStartAKey(token);
            }
            return all.get(all.size() - 1) == lastOfCapture && SecretScrubber.holdsKeyShapeStart(token);
        }

        /**
         * Marks the values holding what the scrubber changes in the joined text; whether there were any.
         *
         * @param lastOfCapture the capture's last value when the stream went on past it, else null
         */
        boolean redact(boolean[] redacted, @Nullable Value lastOfCapture) {
            String in = text.toString();
            boolean cut = lastOfCapture != null && cutInsideAKey(lastOfCapture, in);
            if (joined.size() < 2 && !cut) {
                return false; // one value: the capture's own scrubbing sees it whole
            }
            String out = SecretScrubber.scrub(in, NO_LIMIT, cut);
            if (cut && out.endsWith("…")) {
                out = out.substring(0, out.length() - 1);
            }
            if (out.equals(in)) {
                return false;
            }
            int shorter = Math.min(in.length(), out.length());
            int prefix = 0;
            while (prefix < shorter && in.charAt(prefix) == out.charAt(prefix)) {
                prefix++;
            }
            int suffix = 0;
            while (suffix < shorter - prefix
                    && in.charAt(in.length() - 1 - suffix) == out.charAt(out.length() - 1 - suffix)) {
                suffix++;
            }
            // the changed characters; a change that only inserts marks the character where it was made
            int from = Math.min(prefix, in.length() - 1);
            int to = Math.max(from + 1, in.length() - suffix);
            int first = -1;
            int last = -1;
            for (int k = 0; k < joined.size(); k++) {
                int begin = offsets.get(k);
                int end = k + 1 < joined.size() ? offsets.get(k + 1) : in.length();
                if (begin < to && end > from) {
                    first = first < 0 ? k : first;
                    last = k;
                }
            }
            for (int a = 0; a < all.size(); a++) {
                int k = joinedIndex.get(a);
                if (k >= first && k <= last) {
                    redacted[all.get(a).index] = true;
                }
            }
            return true;
        }
    }
}
