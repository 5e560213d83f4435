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

    /**
     * A query option whose name holds {@code password}, {@code passwd}, {@code pwd}, {@code secret},
     * {@code token} or {@code key} (any case): {@code password=…}, r2dbc-postgresql's {@code sslPassword=…} and
     * {@code sslKey=…} (a file path, masked all the same), and the like.
     */
    private static final Pattern QUERY_PASSWORD = Pattern.compile(
            "(?i)([?&][A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|key)[A-Za-z0-9_.-]*=)[^&#]*");

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
