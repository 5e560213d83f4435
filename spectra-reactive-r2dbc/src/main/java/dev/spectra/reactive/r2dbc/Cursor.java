package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

import dev.spectra.reactive.TrackedRequest;
import org.jspecify.annotations.Nullable;

/**
 * A keyset position: the sort value and id of the last request of a page. Opaque to users (URL-safe base64 of
 * {@code 1|sort|a or d|value|id}); it names its sort and direction so it cannot be replayed on another order.
 */
record Cursor(RequestSort sort, boolean ascending, @Nullable Object value, UUID id) {

    private static final String VERSION = "1";
    private static final String NULL = "~";
    /** The years 1 to 9999, in microseconds since the epoch: what a stored start time can be. */
    private static final long MIN_MICROS = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;
    private static final long MAX_MICROS = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() * 1_000_000L;
    /** The largest value of the cost column, numeric(20,10). */
    private static final BigDecimal MAX_COST = new BigDecimal("9999999999.9999999999");

    /** The position after a request. */
    static Cursor after(RequestSort sort, boolean ascending, TrackedRequest last) {
        Object value = switch (sort) {
            case STARTED_AT -> last.startedAt().truncatedTo(ChronoUnit.MICROS);
            case TOTAL_COST -> last.totalCost();
            case TOTAL_TOKENS -> last.totalTokens();
            case LATENCY -> last.latencyMs();
        };
        return new Cursor(sort, ascending, value, last.id());
    }

    String encode() {
        String v;
        if (value == null) {
            v = NULL;
        } else if (value instanceof Instant t) {
            v = Long.toString(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000));
        } else if (value instanceof BigDecimal d) {
            v = d.toPlainString();
        } else {
            v = value.toString();
        }
        String text = String.join("|", VERSION, sort.name(), ascending ? "a" : "d", v, id.toString());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws IllegalArgumentException naming {@code after} when the text is not a cursor of this API
     */
    static Cursor decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = text.split("\\|", -1);
            if (parts.length != 5 || !VERSION.equals(parts[0]) || !(parts[2].equals("a") || parts[2].equals("d"))) {
                throw new IllegalArgumentException("unexpected shape");
            }
            RequestSort sort = RequestSort.valueOf(parts[1]);
            Object value = NULL.equals(parts[3]) ? null : switch (sort) {
                case STARTED_AT -> {
                    long micros = Long.parseLong(parts[3]);
                    if (micros < MIN_MICROS || micros > MAX_MICROS) {
                        throw new IllegalArgumentException("time out of range");
                    }
                    yield Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1000L);
                }
                case TOTAL_COST -> {
                    BigDecimal cost = new BigDecimal(parts[3]);
                    if (cost.abs().compareTo(MAX_COST) > 0 || cost.scale() > 10) {
                        throw new IllegalArgumentException("cost out of range");
                    }
                    yield cost;
                }
                case TOTAL_TOKENS, LATENCY -> Long.parseLong(parts[3]);
            };
            if (value == null && !sort.nullable()) {
                throw new IllegalArgumentException("missing value");
            }
            return new Cursor(sort, parts[2].equals("a"), value, UUID.fromString(parts[4]));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("after: \"" + cursor + "\" is not a cursor returned by "
                    + "SpectraRequests.search (" + e.getMessage() + ")", e);
        }
    }
}
