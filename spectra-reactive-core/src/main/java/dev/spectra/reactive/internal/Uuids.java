package dev.spectra.reactive.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits; sorts by creation time. */
public final class Uuids {

    private Uuids() {
    }

    /**
     * A version 7 UUID for the given instant.
     *
     * @param epochMillis milliseconds since the epoch
     * @return the UUID
     */
    public static UUID v7(long epochMillis) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
