package dev.spectra.reactive.r2dbc.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientException;
import org.jspecify.annotations.Nullable;

/**
 * Sorts database errors into the three kinds a sink must tell apart: transient (retry the batch), caused by one
 * record's data (isolate it), or anything else (fail the batch).
 *
 * <p>r2dbc-postgresql maps SQLSTATEs to R2DBC exception types loosely (class 22, data exception, becomes
 * {@code R2dbcBadGrammarException}; {@code 57P01 admin_shutdown} a {@code R2dbcNonTransientResourceException}), so
 * the SQLSTATE decides, the type only where there is none.
 */
public final class PgErrors {

    /** SQLSTATE classes whose errors may pass: connection (08), rollback (40), resources (53), operator (57). */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "57");

    /** Single SQLSTATEs that may pass: lock not available, I/O error, system error. */
    private static final Set<String> TRANSIENT_STATES = Set.of("55P03", "58000", "58030");

    /** {@code 57P04 database_dropped} is in the operator class but will not pass. */
    private static final String DATABASE_DROPPED = "57P04";

    private PgErrors() {
    }

    /**
     * Whether retrying later may succeed: the connection was lost or refused, the server is shutting down or
     * starting, a serialization failure or deadlock, a statement or pool-acquire timeout, too many connections.
     *
     * @param error the error or one wrapping it
     * @return true when the error or one of its causes is transient
     */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof R2dbcTransientException) {
                return true;
            }
            if (t instanceof R2dbcException e) {
                String state = e.getSqlState();
                if (state != null && state.length() == 5) {
                    return !DATABASE_DROPPED.equals(state)
                            && (TRANSIENT_CLASSES.contains(state.substring(0, 2)) || TRANSIENT_STATES.contains(state));
                }
                // No SQLSTATE: the driver's own connection failures ("connection closed", "cannot connect").
                if (e instanceof R2dbcNonTransientResourceException) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the server refused the data of some row: a data exception (class 22: value out of range, invalid
     * text, NUL character) or an integrity constraint (class 23: not null, check, unique). Such a batch is worth
     * splitting to find the rows at fault; any other error is not about a row.
     *
     * @param error the error
     * @return true for a per-row error
     */
    public static boolean isRecordError(Throwable error) {
        String state = sqlState(error);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * A short reason for a rejection: SQLSTATE and message.
     *
     * @param error the error
     * @return e.g. {@code 22021: invalid byte sequence for encoding "UTF8": 0x00}
     */
    public static String describe(Throwable error) {
        String state = sqlState(error);
        return (state == null ? "" : state + ": ") + error.getMessage();
    }

    /**
     * Why a sink could not connect to its database or prepare its schema, in a few words a person can act on:
     * unreachable, authentication failed, database does not exist, permission denied, no answer in time, or
     * the error itself. Never contains a password (the driver's messages hold none).
     *
     * @param error the failure, or one wrapping it
     * @return e.g. {@code authentication failed: password authentication failed for user "app" (28P01)}
     */
    public static String startupCause(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof R2dbcException e && e.getSqlState() != null) {
                String state = e.getSqlState();
                String detail = ": " + e.getMessage() + " (" + state + ")";
                switch (state) {
                    case "28P01", "28000":
                        return "authentication failed" + detail;
                    case "3D000":
                        return "database does not exist" + detail;
                    case "42501":
                        return "permission denied" + detail;
                    case "53300":
                        return "too many connections" + detail;
                    case "57P03":
                        return "the server is not accepting connections yet" + detail;
                    default:
                        if (state.startsWith("08")) {
                            return "unreachable" + detail;
                        }
                        return "failed" + detail;
                }
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException) {
                return "unreachable: " + t.getMessage();
            }
            if (t instanceof TimeoutException || t instanceof R2dbcTimeoutException
                    || t.getClass().getSimpleName().contains("Timeout")) {
                return "no answer in time (unreachable or overloaded): " + t.getMessage();
            }
        }
        // the sink's and the schema's own findings (a schema missing or newer than this library) say it all
        return error instanceof IllegalStateException && error.getMessage() != null ? error.getMessage()
                : "failed: " + error;
    }

    private static @Nullable String sqlState(Throwable error) {
        return error instanceof R2dbcException e ? e.getSqlState() : null;
    }
}
