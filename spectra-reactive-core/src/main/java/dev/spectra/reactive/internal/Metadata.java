package dev.spectra.reactive.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The metadata of one layer of attributes (globals, Context, options, or what {@code call.addMetadata} added): validated, frozen
 * JSON with the serialised size of each entry, so the size of any merge is known without serialising again.
 * Immutable.
 */
public final class Metadata {

    /** No metadata. */
    public static final Metadata EMPTY = new Metadata(JsonValues.EMPTY_OBJECT, Map.of());

    /**
     * The largest bound on a call's serialised metadata a tracker accepts: {@value} bytes (1 MiB). A layer written
     * before its tracker is known ({@code TrackOptions}, a Context writer being built) is checked against it.
     */
    public static final int MAX_BYTES = 1024 * 1024;

    private static final int MAX_KEY_LENGTH = 255;

    private final Map<String, @Nullable Object> values;
    private final Map<String, Integer> entrySizes;
    private final int serializedSize;

    /** The last redaction, as one value so a reader never pairs one redactor with another's result. */
    private volatile @Nullable Redacted redacted;

    private record Redacted(MetadataRedactor by, Map<String, @Nullable Object> values) {
    }

    private Metadata(Map<String, @Nullable Object> values, Map<String, Integer> entrySizes) {
        this.values = values;
        this.entrySizes = entrySizes;
        int total = 2 + Math.max(0, entrySizes.size() - 1);
        for (int s : entrySizes.values()) {
            total += s;
        }
        this.serializedSize = total;
    }

    /**
     * A layer from a map, every key and value checked.
     *
     * @param entries the metadata
     * @param maxBytes the bound on the layer's serialised size
     * @return the layer
     * @throws IllegalArgumentException naming the key when a key is null, blank, too long or holds the NUL
     *         character (at any depth), a value is not JSON,
     *         or the layer exceeds the bound (then naming its largest key)
     */
    public static Metadata of(Map<String, ? extends @Nullable Object> entries, int maxBytes) {
        if (entries == null) {
            throw new IllegalArgumentException("metadata map must not be null");
        }
        if (entries.isEmpty()) {
            return EMPTY;
        }
        LinkedHashMap<String, @Nullable Object> values = new LinkedHashMap<>(entries.size() * 2);
        HashMap<String, Integer> sizes = new HashMap<>(entries.size() * 2);
        for (Map.Entry<String, ? extends @Nullable Object> e : entries.entrySet()) {
            String key = checkKey(e.getKey());
            Object value = JsonValues.freeze("metadata key \"" + key + "\"", e.getValue());
            values.put(key, value);
            sizes.put(key, entrySize(key, value));
        }
        Metadata m = new Metadata(JsonValues.adopt(values), sizes);
        checkSize(m, m, maxBytes);
        return m;
    }

    /**
     * This layer with one more entry (replacing the key if present).
     *
     * @param key the key
     * @param value a JSON value
     * @param maxBytes the bound checked against {@code base}'s size plus this layer's
     * @param base what lies under this layer (its size counts toward the bound); {@link #EMPTY} for none
     * @return the new layer
     * @throws IllegalArgumentException naming the key when the key or value is bad or the bound is exceeded
     */
    public Metadata with(String key, @Nullable Object value, int maxBytes, Metadata base) {
        String k = checkKey(key);
        Object v = JsonValues.freeze("metadata key \"" + k + "\"", value);
        LinkedHashMap<String, @Nullable Object> nv = new LinkedHashMap<>(values);
        nv.put(k, v);
        HashMap<String, Integer> ns = new HashMap<>(entrySizes);
        ns.put(k, entrySize(k, v));
        Metadata m = new Metadata(JsonValues.adopt(nv), ns);
        int merged = base.isEmpty() ? m.serializedSize : base.merge(m).serializedSize;
        if (merged > maxBytes) {
            throw overBound(k, merged, maxBytes);
        }
        return m;
    }

    /**
     * Checks metadata as a tracker will read it against that tracker's bound.
     *
     * @param merged the merged layers
     * @param added the layer just written over the others, whose largest key the message names
     * @param maxBytes the bound
     * @throws IllegalArgumentException naming the key when the merge is over the bound
     */
    public static void checkSize(Metadata merged, Metadata added, int maxBytes) {
        if (merged.serializedSize > maxBytes) {
            throw overBound(largestKey(added.entrySizes), merged.serializedSize, maxBytes);
        }
    }

    private static IllegalArgumentException overBound(String key, int size, int maxBytes) {
        return new IllegalArgumentException("metadata key \"" + key + "\": metadata would be " + size
                + " bytes serialised, over the limit of " + maxBytes + " bytes");
    }

    /**
     * The union of this layer and a higher one; the higher layer's value wins for a key in both.
     *
     * @param higher the layer that wins
     * @return the merged layer (one of the two when the other is empty)
     */
    public Metadata merge(Metadata higher) {
        if (higher.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return higher;
        }
        LinkedHashMap<String, @Nullable Object> nv = new LinkedHashMap<>(values);
        nv.putAll(higher.values);
        HashMap<String, Integer> ns = new HashMap<>(entrySizes);
        ns.putAll(higher.entrySizes);
        return new Metadata(JsonValues.adopt(nv), ns);
    }

    /**
     * @return whether the layer has no entries
     */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * @return the frozen entries, in insertion order
     */
    public Map<String, @Nullable Object> values() {
        return values;
    }

    /**
     * @return bytes of the layer's compact JSON
     */
    public int serializedSize() {
        return serializedSize;
    }

    /**
     * The entries with secret-looking values replaced; computed once per redactor and kept, since Context and
     * global layers are shared by many calls.
     *
     * @param redactor the rules
     * @return the redacted entries
     */
    public Map<String, @Nullable Object> redacted(MetadataRedactor redactor) {
        if (values.isEmpty()) {
            return values;
        }
        Redacted r = redacted;
        if (r != null && r.by() == redactor) {
            return r.values();
        }
        Map<String, @Nullable Object> out = redactor.redact(values);
        redacted = new Redacted(redactor, out);
        return out;
    }

    private static String checkKey(@Nullable String key) {
        if (key == null) {
            throw new IllegalArgumentException("metadata key must not be null");
        }
        if (key.isBlank()) {
            throw new IllegalArgumentException("metadata key \"" + key + "\" must not be blank");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("metadata key \"" + key.substring(0, 40) + "…\" is " + key.length()
                    + " characters, over the limit of " + MAX_KEY_LENGTH);
        }
        JsonValues.checkNoNul("metadata key", key);
        return key;
    }

    private static int entrySize(String key, @Nullable Object value) {
        return JsonSize.of(key) + 1 + JsonSize.of(value);
    }

    private static String largestKey(Map<String, Integer> sizes) {
        String best = "";
        int max = -1;
        for (Map.Entry<String, Integer> e : sizes.entrySet()) {
            if (e.getValue() > max) {
                max = e.getValue();
                best = e.getKey();
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
