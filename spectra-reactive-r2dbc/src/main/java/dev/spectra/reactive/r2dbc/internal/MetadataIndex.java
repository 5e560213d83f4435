package dev.spectra.reactive.r2dbc.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of the index a metadata dimension gets on the requests ({@code (metadata -> key, started_at DESC NULLS
 * LAST, id DESC)}): derived from the key by a hash, so any key gives a valid, stable identifier of the same length.
 */
public final class MetadataIndex {

    private MetadataIndex() {
    }

    /**
     * @param key the metadata key
     * @return {@code spectra_requests_metadata_} and 16 hex digits of the key's SHA-256
     */
    public static String name(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "spectra_requests_metadata_" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
