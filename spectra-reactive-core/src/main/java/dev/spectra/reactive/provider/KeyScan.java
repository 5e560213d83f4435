package dev.spectra.reactive.provider;

/**
 * Finds which of a few JSON keys a payload holds, without parsing it and without copying it. A key counts as
 * found when its value starts with the byte it asks for (<code>{</code> for an object, {@code "} for a string,
 * {@code [}, {@code t} ...), or with anything when it asks for nothing. One pass over the bytes: at each quote,
 * the few keys are compared in place.
 */
final class KeyScan {

    private final byte[][] keys;
    private final byte[] values;

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
        }
    }

    /** Bit k set when key k was found with its value; stops early once every bit of {@code stopMask} is set. */
    int scan(byte[] b, int off, int len, int stopMask) {
        int end = off + len;
        int found = 0;
        int all = (1 << keys.length) - 1;
        for (int i = off; i < end; i++) {
            if (b[i] != '"') {
                continue;
            }
            int at = i + 1;
            for (int k = 0; k < keys.length; k++) {
                if ((found & (1 << k)) != 0) {
                    continue;
                }
                byte[] key = keys[k];
                if (at + key.length > end || b[at] != key[0]) {
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
                    found |= 1 << k;
                } else {
                    int v = ByteScan.skipWs(b, at + key.length, end);
                    if (v < end && b[v] == ':') {
                        v = ByteScan.skipWs(b, v + 1, end);
                        if (v < end && b[v] == values[k]) {
                            found |= 1 << k;
                        }
                    }
                }
                if ((stopMask != 0 && (found & stopMask) == stopMask) || found == all) {
                    return found;
                }
            }
        }
        return found;
    }
}
