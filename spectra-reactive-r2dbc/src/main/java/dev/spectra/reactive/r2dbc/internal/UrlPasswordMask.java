package dev.spectra.reactive.r2dbc.internal;

import java.util.regex.Pattern;

/**
 * Hides passwords in connection URLs shown in {@code toString} and logs.
 */
public final class UrlPasswordMask {

    /**
     * {@code scheme://user:password@host}: the password of the user-info part, up to the last {@code @} of the
     * authority (a password may hold a raw {@code @}).
     */
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/@:?#]*:)[^/?#]*@");

    /** {@code ?password=…} or {@code &password=…} (any case) in the query part. */
    private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)([?&]password=)[^&#]*");

    private UrlPasswordMask() {
    }

    /**
     * @param url an R2DBC URL
     * @return the URL with any password replaced by {@code ****}
     */
    public static String maskUrl(String url) {
        String masked = USER_INFO_PASSWORD.matcher(url).replaceFirst("$1****@");
        return QUERY_PASSWORD.matcher(masked).replaceAll("$1****");
    }
}
