package dev.spectra.reactive.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * Validation and deep, immutable copies of metadata values. A metadata value is JSON: a String, a Number
 * (finite), a Boolean, null, or a List or Map (String keys) of those, nested to any depth.
 */
public final class JsonValues {

    /** The empty frozen JSON object, shared. */
    public static final Map<String, @Nullable Object> EMPTY_OBJECT = new FrozenMap(new LinkedHashMap<>());

    private JsonValues() {
    }

    /**
     * A deep immutable copy of a JSON value, checked on the way.
     *
     * @param path where the value sits, for the message, e.g. {@code metadata key "tenant"}
     * @param value the value
     * @return the value itself when already immutable (strings, numbers, booleans, frozen containers), else a
     *         frozen copy
     * @throws IllegalArgumentException naming the path when something is not JSON, or a map key holds the NUL
     *         character
     */
    public static @Nullable Object freeze(String path, @Nullable Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            return freezeNumber(path, n);
        }
        if (value instanceof FrozenMap || value instanceof FrozenList) {
            return value;
        }
        if (value instanceof Map<?, ?> m) {
            LinkedHashMap<String, @Nullable Object> copy = new LinkedHashMap<>(Math.max(4, m.size() * 2));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object k = e.getKey();
                if (!(k instanceof String key)) {
                    throw new IllegalArgumentException(path + ": map key " + describe(k)
                            + " is not a String; JSON objects have string keys");
                }
                checkNoNul(path + ": map key", key);
                copy.put(key, freeze(path + "." + key, e.getValue()));
            }
            return new FrozenMap(copy);
        }
        if (value instanceof List<?> l) {
            ArrayList<@Nullable Object> copy = new ArrayList<>(l.size());
            int i = 0;
            for (Object o : l) {
                copy.add(freeze(path + "[" + i + "]", o));
                i++;
            }
            return new FrozenList(copy);
        }
        throw new IllegalArgumentException(path + ": value of type " + value.getClass().getName()
                + " is not JSON (use a String, Number, Boolean, null, or a List or Map of those)");
    }

    /**
     * A frozen copy of a JSON object whose keys are checked by the caller.
     *
     * @param path where the object sits, for messages
     * @param map the object
     * @return the frozen object (the same instance when already frozen)
     */
    @SuppressWarnings("unchecked")
    public static Map<String, @Nullable Object> freezeObject(String path, Map<String, ? extends @Nullable Object> map) {
        if (map instanceof FrozenMap) {
            return (Map<String, @Nullable Object>) map;
        }
        if (map.isEmpty()) {
            return EMPTY_OBJECT;
        }
        return (Map<String, @Nullable Object>) freeze(path, map);
    }

    /**
     * Wraps a map built by this library (already holding frozen values) without copying it.
     *
     * @param owned a map nobody else holds a reference to
     * @return the frozen view
     */
    public static Map<String, @Nullable Object> adopt(LinkedHashMap<String, @Nullable Object> owned) {
        return owned.isEmpty() ? EMPTY_OBJECT : new FrozenMap(owned);
    }

    /**
     * Whether two JSON values are equal as JSON: numbers by value ({@code 2}, {@code 2L} and {@code 2.0} are
     * equal), maps by entries regardless of order, lists element by element.
     *
     * @param a a JSON value
     * @param b a JSON value
     * @return true when they denote the same JSON
     */
    public static boolean jsonEquals(@Nullable Object a, @Nullable Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return toBigDecimal(x).compareTo(toBigDecimal(y)) == 0;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !jsonEquals(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!jsonEquals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static BigDecimal toBigDecimal(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (n instanceof Double || n instanceof Float) {
            return BigDecimal.valueOf(n.doubleValue());
        }
        return BigDecimal.valueOf(n.longValue());
    }

    private static Number freezeNumber(String path, Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof BigDecimal || n instanceof BigInteger) {
            return n;
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(path + ": " + d + " is not a JSON number (NaN and infinities are not JSON)");
            }
            return n;
        }
        if (n instanceof AtomicInteger || n instanceof AtomicLong) {
            return n.longValue();
        }
        throw new IllegalArgumentException(path + ": value of type " + n.getClass().getName()
                + " is not JSON (use Integer, Long, Double, BigDecimal or BigInteger for numbers)");
    }

    /**
     * Refuses a key holding the NUL character: PostgreSQL's {@code jsonb} cannot store it, so a sink must replace
     * it, and {@code "k\u0000"} would then collide with {@code "k\uFFFD"}, one value silently lost.
     *
     * @param what what the key is, for the message, e.g. {@code metadata key}
     * @param key the key
     * @throws IllegalArgumentException naming the key (its NUL shown as {@code \u0000}) when it holds a NUL
     */
    public static void checkNoNul(String what, String key) {
        if (key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " \"" + key.replace("\0", "\\u0000")
                    + "\" contains the NUL character (U+0000), which storage cannot hold in a key: remove it");
        }
    }

    private static String describe(@Nullable Object o) {
        return o == null ? "null" : "\"" + o + "\" (" + o.getClass().getName() + ")";
    }

    /** An immutable JSON object that keeps insertion order and allows null values. */
    static final class FrozenMap extends AbstractMap<String, @Nullable Object> {
        private final Map<String, @Nullable Object> delegate;

        FrozenMap(LinkedHashMap<String, @Nullable Object> delegate) {
            this.delegate = delegate;
        }

        @Override
        public Set<Entry<String, @Nullable Object>> entrySet() {
            return Collections.unmodifiableMap(delegate).entrySet();
        }

        @Override
        public @Nullable Object get(Object key) {
            return delegate.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return delegate.containsKey(key);
        }

        @Override
        public int size() {
            return delegate.size();
        }
    }

    /** An immutable JSON array that allows null elements. */
    static final class FrozenList extends AbstractList<@Nullable Object> {
        private final List<@Nullable Object> delegate;

        FrozenList(List<@Nullable Object> delegate) {
            this.delegate = delegate;
        }

        @Override
        public @Nullable Object get(int index) {
            return delegate.get(index);
        }

        @Override
        public int size() {
            return delegate.size();
        }
    }
}
