package dev.spectra.reactive.provider;

/**
 * Finds which of a few JSON keys a payload holds, without parsing it and without copying it. A key counts as
 * found when its value starts with the byte it asks for (<code>{</code> for an object, {@code "} for a string,
 * {@code [}, {@code t} ...), or with anything when it asks for nothing (then the quoted string counts wherever it
 * stands, as a key or as a value such as a {@code "type"}). One pass over the bytes: at each quote, the few keys
 * are compared in place.
 */
final class KeyScan {

    private final byte[][] keys;
    private final byte[] values;
    /** For each byte, the keys that start with it: most quotes in a payload open no key, and cost one lookup. */
    private final int[] byFirstByte = new int[256];

    /**
     * @param spec pairs of key (without quotes) and required first value byte as a String of length 1, or ""
     *        for any value
     */
    KeyScan(String... spec) {
        int n = spec.length / 2;
        if (n > 31) {
            throw new IllegalArgumentException("at most 31 keys");
        }
        keys = new byte[n][];
        values = new byte[n];
        for (int k = 0; k < n; k++) {
            keys[k] = ByteScan.ascii(spec[2 * k] + "\"");
            values[k] = spec[2 * k + 1].isEmpty() ? 0 : (byte) spec[2 * k + 1].charAt(0);
            byFirstByte[keys[k][0] & 0xFF] |= 1 << k;
        }
    }

    /** Bit k set when key k was found with its value; stops early once every bit of {@code stopMask} is set. */
    int scan(byte[] b, int off, int len, int stopMask) {
        int end = off + len;
        int found = 0;
        int all = (1 << keys.length) - 1;
        for (int i = ByteScan.nextQuote(b, off, end); i < end; i = ByteScan.nextQuote(b, i + 1, end)) {
            found |= foundAt(b, i, end, found);
            if ((stopMask != 0 && (found & stopMask) == stopMask) || found == all) {
                return found;
            }
        }
        return found;
    }

    /**
     * The keys found at one quote, as {@link #scan} looks at each: bit k set when the bytes after the quote at
     * {@code q} are key k with its value. Keys already in {@code found} are not looked for again.
     *
     * @param b the payload
     * @param q the index of a quote in {@code b}
     * @param end the payload's end: nothing at or past it is read
     * @param found keys already found
     * @return the keys found here and not in {@code found}
     */
    int foundAt(byte[] b, int q, int end, int found) {
        int at = q + 1;
        if (at >= end) {
            return 0;
        }
        int candidates = byFirstByte[b[at] & 0xFF] & ~found;
        int here = 0;
        while (candidates != 0) {
            int k = Integer.numberOfTrailingZeros(candidates);
            candidates &= candidates - 1;
            byte[] key = keys[k];
            if (at + key.length > end) {
                continue;
            }
            int j = 1;
            while (j < key.length && b[at + j] == key[j]) {
                j++;
            }
            if (j < key.length) {
                continue;
            }
            if (values[k] == 0) {
                here |= 1 << k;
            } else {
                int v = ByteScan.skipWs(b, at + key.length, end);
                if (v < end && b[v] == ':') {
                    v = ByteScan.skipWs(b, v + 1, end);
                    if (v < end && b[v] == values[k]) {
                        here |= 1 << k;
                    }
                }
            }
        }
        return here;
    }
}
