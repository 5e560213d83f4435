package dev.spectra.reactive.budget;

import java.util.Objects;

import dev.spectra.reactive.ContextAttributes;
import dev.spectra.reactive.Trackable;
import org.jspecify.annotations.Nullable;

/**
 * Which calls a budget counts. A scope either names one set of calls (every call, a provider, a model, a tag, one
 * owner, one value of a metadata key) or splits calls by a value ({@link #trackable(String)} per owner id,
 * {@link #metadata(String)} per value of the key): then each value has its own spend and the same limits, e.g.
 * {@code $10 a day per tenant_id}. That value is the budget's <em>subject</em>; it is empty for the scopes that
 * split nothing. A subject that is a credential (split by a key or owner type named like one, such as
 * {@code api_key}, or a value shaped like a key) is stored, reported and refused as {@code sha256:} and the first 32
 * hex digits of its SHA-256: each key keeps its own spend, and no key reaches the budget store.
 *
 * @since 0.2
 */
public final class BudgetScope {

    private enum Kind { GLOBAL, PROVIDER, MODEL, TRACKABLE, METADATA, TAG }

    private static final BudgetScope GLOBAL = new BudgetScope(Kind.GLOBAL, null, null);

    private final Kind kind;
    private final @Nullable String key;
    private final @Nullable String value;

    private BudgetScope(Kind kind, @Nullable String key, @Nullable String value) {
        this.kind = kind;
        this.key = key;
        this.value = value;
    }

    /**
     * @return every call
     */
    public static BudgetScope global() {
        return GLOBAL;
    }

    /**
     * @param provider a provider id, e.g. {@code "openai"}
     * @return the calls to that provider
     */
    public static BudgetScope provider(String provider) {
        return new BudgetScope(Kind.PROVIDER, null, check("provider", provider));
    }

    /**
     * @param model a requested model, e.g. {@code "gpt-4o"}
     * @return the calls of that model, whatever the provider
     */
    public static BudgetScope model(String model) {
        return new BudgetScope(Kind.MODEL, null, check("model", model));
    }

    /**
     * @param type an owner kind, e.g. {@code "user"}
     * @return the calls attributed to an owner of that kind ({@code Spectra.trackable}), each owner id its own
     *         subject
     */
    public static BudgetScope trackable(String type) {
        return new BudgetScope(Kind.TRACKABLE, check("trackable type", type), null);
    }

    /**
     * @param type an owner kind
     * @param id an owner id
     * @return the calls attributed to that owner
     */
    public static BudgetScope trackable(String type, String id) {
        return new BudgetScope(Kind.TRACKABLE, check("trackable type", type), check("trackable id", id));
    }

    /**
     * @param key a metadata key, e.g. {@code "tenant_id"}
     * @return the calls whose merged metadata has that key with a non-null value, each value its own subject
     */
    public static BudgetScope metadata(String key) {
        return new BudgetScope(Kind.METADATA, check("metadata key", key), null);
    }

    /**
     * @param key a metadata key
     * @param value the value (compared as text: {@code 42} matches {@code "42"})
     * @return the calls whose merged metadata has that value for the key
     */
    public static BudgetScope metadata(String key, String value) {
        return new BudgetScope(Kind.METADATA, check("metadata key", key), check("metadata value", value));
    }

    /**
     * @param tag a tag
     * @return the calls carrying it
     */
    public static BudgetScope tag(String tag) {
        return new BudgetScope(Kind.TAG, null, check("tag", tag));
    }

    /**
     * Whether a call is counted, and under which subject.
     *
     * @param provider the call's provider
     * @param model the call's requested model
     * @param attributes what its Context says
     * @return the subject ({@code ""} for a scope that splits nothing), or null when the call is not counted
     */
    public @Nullable String subject(String provider, String model, ContextAttributes attributes) {
        return switch (kind) {
            case GLOBAL -> "";
            case PROVIDER -> provider.equals(value) ? "" : null;
            case MODEL -> model.equals(value) ? "" : null;
            case TAG -> attributes.tags().contains(value) ? "" : null;
            case TRACKABLE -> {
                Trackable t = attributes.trackable();
                if (t == null || !t.type().equals(key)) {
                    yield null;
                }
                yield value == null ? t.id() : value.equals(t.id()) ? "" : null;
            }
            case METADATA -> {
                Object v = attributes.metadata().get(key);
                if (v == null) {
                    yield null;
                }
                String text = String.valueOf(v);
                yield value == null ? text : value.equals(text) ? "" : null;
            }
        };
    }

    /** The metadata key or owner type whose values are the subjects; null for a scope that does not split. */
    @Nullable String splitKey() {
        return splitsByValue() ? key : null;
    }

    /**
     * @return whether each value is its own subject ({@link #trackable(String)}, {@link #metadata(String)})
     */
    public boolean splitsByValue() {
        return (kind == Kind.TRACKABLE || kind == Kind.METADATA) && value == null;
    }

    private static String check(String what, @Nullable String s) {
        Objects.requireNonNull(s, what);
        if (s.isBlank()) {
            throw new IllegalArgumentException("budget scope: " + what + " must not be blank");
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BudgetScope s && s.kind == kind && Objects.equals(s.key, key)
                && Objects.equals(s.value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, key, value);
    }

    /**
     * @return e.g. {@code global}, {@code provider:openai}, {@code metadata:tenant_id},
     *         {@code metadata:tenant_id=acme}, {@code trackable:user=42}, {@code tag:billing}
     */
    @Override
    public String toString() {
        String k = kind.name().toLowerCase(java.util.Locale.ROOT);
        if (kind == Kind.GLOBAL) {
            return k;
        }
        if (key == null) {
            return k + ":" + value;
        }
        return k + ":" + key + (value == null ? "" : "=" + value);
    }
}
