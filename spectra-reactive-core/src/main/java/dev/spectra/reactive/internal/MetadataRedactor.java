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
 * Replaces the values of secret-looking metadata keys with {@value #REDACTED}, at any depth. A key is secret
 * when, lower-cased with everything but letters and digits removed, it equals or ends with a configured pattern
 * normalised the same way: with pattern {@code api_key}, {@code openai-api-key} and {@code apiKey} are secret;
 * with {@code token}, {@code auth_token} is secret and {@code max_tokens} is not.
 */
public final class MetadataRedactor {

    /** What a secret value is replaced with. */
    public static final String REDACTED = "[REDACTED]";

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
     * A copy of a frozen JSON object with secret values replaced, or the object itself when nothing is secret.
     *
     * @param object a frozen JSON object
     * @return the redacted object
     */
    @SuppressWarnings("unchecked")
    public Map<String, @Nullable Object> redact(Map<String, @Nullable Object> object) {
        LinkedHashMap<String, @Nullable Object> copy = null;
        for (Map.Entry<String, @Nullable Object> e : object.entrySet()) {
            Object value = e.getValue();
            Object replaced;
            if (isSecret(e.getKey())) {
                replaced = value == null ? null : REDACTED;
            } else if (value instanceof Map<?, ?> m) {
                replaced = redact((Map<String, @Nullable Object>) m);
            } else if (value instanceof List<?> l) {
                replaced = redactList(l);
            } else {
                replaced = value;
            }
            if (replaced != value && copy == null) {
                copy = new LinkedHashMap<>(object);
            }
            if (copy != null) {
                copy.put(e.getKey(), replaced);
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
                    : v instanceof List<?> l ? redactList(l) : v;
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
            if (n.endsWith(p)) {
                return true;
            }
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
