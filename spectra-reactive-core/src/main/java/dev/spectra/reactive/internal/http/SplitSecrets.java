package dev.spectra.reactive.internal.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.internal.SecretScrubber;
import org.jspecify.annotations.Nullable;

/**
 * Credentials a streamed answer splits across its events, redacted in the captured stream. A model that writes a
 * key into its answer sends it a few characters an event ({@code "content":"sk-pr"}, then {@code "content":"oj-"},
 * ...), so no one event holds it and scrubbing the captured text finds nothing.
 *
 * <p>Here the string values of each member name, named with the objects it is in, are joined in the order they
 * came, as the answer's reader would join them (a value equal to the one before it under the same name, such as a
 * repeated id, model or type, is not joined again; OpenAI's random {@code obfuscation} padding is not joined at
 * all), and each name's joined text is scrubbed as free text ({@link SecretScrubber#scrub}). Where the scrubber
 * changes it, every value from the first to the last one holding a changed character is replaced by
 * {@value SecretScrubber#REDACTED} in the capture; a repeated value counts as the one it repeats. Everything else
 * is kept as it came.
 *
 * <p>When the capture is the start of a longer stream, the joined text of a name whose values were still changing
 * may go on past it, with a key cut short at its end: its last token is treated as the scrubber treats the last
 * token of a cut text, and redacted (a value the capture ends inside is left out, the capture ending where it
 * began). A name whose last value repeats the one before (an id, a model) does not go on; a name with a single
 * value only when that value is the capture's last.
 *
 * <p>The values are found by quotes, not by parsing: a string followed by a colon is a member name, and a string
 * right after a name and its colon is that name's value. That reads SSE {@code data:} lines, NDJSON and JSON arrays
 * alike, and a last value the capture cuts short.
 */
final class SplitSecrets {

    /**
     * OpenAI's random padding of stream events ({@code "obfuscation":"Ui6T7ZRgUUHBz"}), which holds no text of the
     * answer: joined, it reads as a key and would be redacted for nothing.
     */
    private static final String PADDING = "obfuscation";

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
        @Nullable Value last = null;
        Map<String, Joined> byKey = new LinkedHashMap<>();
        for (Value v : values) {
            if (!v.name.equals(PADDING)) {
                byKey.computeIfAbsent(v.key, k -> new Joined()).add(v, capture);
                last = v;
            }
        }
        if (last == null) {
            return capture;
        }
        boolean[] redacted = new boolean[values.size()];
        boolean any = false;
        for (Joined j : byKey.values()) {
            any |= j.redact(redacted, cut && j.goesOnPast(last));
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
     * arrays it is in and its own, joined by dots) and the indexes its event named before it:
     * {@code choices.delta.contentindex=0;}. So a response id and a tool call's id, or the ids and texts of two
     * choices, content blocks or tool calls, are told apart.
     */
    static List<Value> values(String s) {
        List<Value> values = new ArrayList<>();
        ArrayDeque<String> paths = new ArrayDeque<>(); // the path prefix of each open object or array
        int n = s.length();
        @Nullable String name = null;
        String items = ""; // the indexes the event has named so far (index=0;), which tell its items apart
        int valueAt = -1; // where a value right after the last name and its colon starts
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c != '"') {
                if (c == '{' || c == '[') {
                    String prefix = paths.isEmpty() ? "" : paths.peek();
                    paths.push(name != null && valueAt == i ? prefix + name + "." : prefix);
                    name = null;
                } else if ((c == '}' || c == ']') && !paths.isEmpty()) {
                    paths.pop();
                    if (paths.isEmpty()) {
                        items = ""; // the event ended
                    }
                }
                i++;
                continue;
            }
            int start = i + 1;
            int j = start;
            while (j < n && s.charAt(j) != '"') {
                j += s.charAt(j) == '\\' ? 2 : 1;
            }
            boolean open = j >= n;
            int end = Math.min(j, n);
            int after = open ? n : skipWhitespace(s, end + 1);
            if (!open && after < n && s.charAt(after) == ':') {
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
                values.add(new Value(name, (paths.isEmpty() ? "" : paths.peek()) + name + items, start, end,
                        values.size()));
            }
            name = null;
            i = open ? n : end + 1;
        }
        return values;
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
     * end when it ends inside the value), and its position among all values.
     */
    record Value(String name, String key, int start, int end, int index) {
    }

    /** The values of one member name, joined. */
    private static final class Joined {
        private final StringBuilder text = new StringBuilder();
        /** The values joined, each with where it starts in {@link #text}. */
        private final List<Value> joined = new ArrayList<>();
        private final List<Integer> offsets = new ArrayList<>();
        /** Every non-empty value of this name, with the index in {@link #joined} of the value it is or repeats. */
        private final List<Value> all = new ArrayList<>();
        private final List<Integer> joinedIndex = new ArrayList<>();
        private @Nullable String previous;
        private boolean lastRepeated;

        void add(Value v, String capture) {
            if (v.start == v.end) {
                return; // holds nothing
            }
            String value = capture.substring(v.start, v.end);
            all.add(v);
            lastRepeated = value.equals(previous);
            if (!lastRepeated) {
                previous = value;
                offsets.add(text.length());
                joined.add(v);
                text.append(value);
            }
            joinedIndex.add(joined.size() - 1);
        }

        /**
         * Whether this name's text may go on past the end of a cut capture: its last value is new (a repeated id
         * or model does not go on), and when it is its only one, it is the capture's last value.
         */
        boolean goesOnPast(Value lastOfCapture) {
            if (all.isEmpty() || lastRepeated) {
                return false;
            }
            return joined.size() >= 2 || all.get(all.size() - 1) == lastOfCapture;
        }

        /** Marks the values holding what the scrubber changes in the joined text; whether there were any. */
        boolean redact(boolean[] redacted, boolean cut) {
            if (joined.size() < 2 && !cut) {
                return false; // one value: the capture's own scrubbing sees it whole
            }
            String in = text.toString();
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
