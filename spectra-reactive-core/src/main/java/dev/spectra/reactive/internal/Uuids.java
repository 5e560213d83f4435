package dev.spectra.reactive.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits; sorts by creation time. */
public final class Uuids {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

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

    /**
     * The UUID as 32 lower-case hex digits, the shape of a W3C trace id.
     *
     * @param id the UUID
     * @return 32 hex digits
     */
    public static String hex(UUID id) {
        char[] out = new char[32];
        writeHex(out, 0, id.getMostSignificantBits());
        writeHex(out, 16, id.getLeastSignificantBits());
        return new String(out);
    }

    private static void writeHex(char[] out, int offset, long v) {
        for (int i = 15; i >= 0; i--) {
            out[offset + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
    }
}
