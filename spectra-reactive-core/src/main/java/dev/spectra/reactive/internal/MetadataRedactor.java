package dev.spectra.reactive.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Replaces the values of secret-looking metadata keys with {@value #REDACTED}, at any depth, and scrubs the other
 * strings (keys and values) with {@link SecretScrubber#scrubValue}. A key is secret when, lower-cased with
 * everything but letters and digits removed, it ends with a configured pattern normalised the same way, and, for
 * a pattern shorter than five letters ({@code key}, {@code pwd}, {@code jwt}), when that end is also the start of a
 * word of the key (words split at separators, case changes and digits): with pattern {@code api_key},
 * {@code openai-api-key} and {@code apiKey} are secret; with {@code token}, {@code auth_token} and
 * {@code refreshtoken} are secret and {@code max_tokens} is not; with {@code key}, {@code openaiKey} and
 * {@code secret_key} are secret and {@code monkey} is not.
 */
public final class MetadataRedactor {

    /** What a secret value is replaced with. */
    public static final String REDACTED = "[REDACTED]";

    /**
     * The names of credentials, for metadata keys by default and always for names in free text: API keys,
     * passwords and passphrases, tokens, secrets, private and access keys, credentials, cookies, auth headers,
     * bearer tokens, JWTs and signatures.
     */
    public static final List<String> DEFAULT_KEYS = List.of("api_key", "apikey", "key", "authorization", "auth",
            "password", "passwd", "pwd", "pass", "passphrase", "token", "secret", "access_key", "secret_key",
            "private_key", "credential", "credentials", "cookie", "bearer", "jwt", "sig", "signature");

    /** Patterns shorter than this match only at the start of a word of the key. */
    private static final int WHOLE_WORD_BELOW = 5;

    private final List<String> patterns;
    private final ConcurrentHashMap<String, Boolean> verdicts = new ConcurrentHashMap<>();

    /**
     * @param patterns key patterns, e.g. {@code api_key}, {@code password}
     * @throws IllegalArgumentException when a pattern is blank after normalisation
     */
    public MetadataRedactor(Collection<String> patterns) {
        List<String> p = new ArrayList<>();
        for (String s : patterns) {
            String n = normalise(s);
            if (n.isEmpty()) {
                throw new IllegalArgumentException("redaction key \"" + s + "\" has no letters or digits");
            }
            p.add(n);
        }
        this.patterns = List.copyOf(p);
    }

    /**
     * @param key a metadata key
     * @return whether its value must not be stored
     */
    public boolean isSecret(String key) {
        Boolean v = verdicts.get(key);
        if (v == null) {
            v = decide(key);
            if (verdicts.size() < 10_000) {
                verdicts.put(key, v);
            }
        }
        return v;
    }

    /**
     * A copy of a frozen JSON object with secret values replaced and credentials scrubbed out of its other strings
     * ({@link SecretScrubber#scrubValue}), or the object itself when nothing is secret.
     *
     * @param object a frozen JSON object
     * @return the redacted object
     */
    @SuppressWarnings("unchecked")
    public Map<String, @Nullable Object> redact(Map<String, @Nullable Object> object) {
        LinkedHashMap<String, @Nullable Object> copy = null;
        for (Map.Entry<String, @Nullable Object> e : object.entrySet()) {
            Object value = e.getValue();
            String key = SecretScrubber.scrubValue(e.getKey(), this);
            Object replaced;
            if (isSecret(e.getKey())) {
                replaced = value == null ? null : REDACTED;
            } else if (value instanceof String text) {
                replaced = SecretScrubber.scrubValue(text, this);
            } else if (value instanceof Map<?, ?> m) {
                replaced = redact((Map<String, @Nullable Object>) m);
            } else if (value instanceof List<?> l) {
                replaced = redactList(l);
            } else {
                replaced = value;
            }
            if ((replaced != value || key != e.getKey()) && copy == null) {
                copy = new LinkedHashMap<>();
                for (Map.Entry<String, @Nullable Object> before : object.entrySet()) {
                    if (before.getKey().equals(e.getKey())) {
                        break;
                    }
                    copy.put(before.getKey(), before.getValue());
                }
            }
            if (copy != null) {
                copy.put(key, replaced);
            }
        }
        return copy == null ? object : JsonValues.adopt(copy);
    }

    @SuppressWarnings("unchecked")
    private Object redactList(List<?> list) {
        List<@Nullable Object> copy = null;
        for (int i = 0; i < list.size(); i++) {
            Object v = list.get(i);
            Object r = v instanceof Map<?, ?> m ? redact((Map<String, @Nullable Object>) m)
                    : v instanceof List<?> l ? redactList(l)
                    : v instanceof String text ? SecretScrubber.scrubValue(text, this) : v;
            if (r != v && copy == null) {
                copy = new ArrayList<>(list);
            }
            if (copy != null) {
                copy.set(i, r);
            }
        }
        return copy == null ? list : JsonValues.freeze("metadata", copy);
    }

    private boolean decide(String key) {
        String n = normalise(key);
        for (String p : patterns) {
            if (n.endsWith(p) && (p.length() >= WHOLE_WORD_BELOW || startsWord(key, n.length() - p.length()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the letter or digit at position {@code at} of the key's normalised form starts a word of the key:
     * the first one, one after a separator, an upper-case letter after a lower-case one or a digit, an upper-case
     * letter followed by a lower-case one after another upper-case one ({@code APIKey}), or a letter after a digit.
     */
    private static boolean startsWord(String key, int at) {
        int seen = -1;
        char previous = 0;
        boolean separated = true;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                separated = true;
                continue;
            }
            seen++;
            if (seen == at) {
                if (separated) {
                    return true;
                }
                boolean upper = Character.isUpperCase(c);
                char next = i + 1 < key.length() ? key.charAt(i + 1) : 0;
                return (upper && (Character.isLowerCase(previous) || Character.isDigit(previous)))
                        || (upper && Character.isUpperCase(previous) && Character.isLowerCase(next))
                        || (Character.isLetter(c) && Character.isDigit(previous));
            }
            separated = false;
            previous = c;
        }
        return false;
    }

    static String normalise(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /**
     * @return the normalised patterns
     */
    public List<String> patterns() {
        return patterns;
    }
}
