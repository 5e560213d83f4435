package dev.spectra.reactive.internal;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The process-wide attributes of {@code Spectra.withMetadata}, {@code addGlobalTags}, {@code withPricingTier}
 * and {@code withTrackable}: merged under everything else into every record, whatever tracker records it.
 */
public final class Globals {

    private static final AtomicReference<TrackingAttributes> CURRENT = new AtomicReference<>(TrackingAttributes.EMPTY);

    private Globals() {
    }

    /**
     * @return the current globals (one volatile read)
     */
    public static TrackingAttributes get() {
        return CURRENT.get();
    }

    /**
     * Changes the globals atomically.
     *
     * @param change from the current globals to the new ones
     */
    public static void update(UnaryOperator<TrackingAttributes> change) {
        CURRENT.updateAndGet(change);
    }

    /** Forgets every global. */
    public static void clear() {
        CURRENT.set(TrackingAttributes.EMPTY);
    }
}
