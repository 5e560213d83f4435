package dev.spectra.reactive.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import org.jspecify.annotations.Nullable;

/**
 * What an exception says about a failed call: the HTTP status when the exception carries one (Spring's
 * {@code WebClientResponseException#getStatusCode()}, or any {@code statusCode()}/{@code getStatusCode()} that
 * returns an int or an object with {@code value()}), found reflectively so core needs no web dependency.
 */
public final class Errors {

    private static final ClassValue<@Nullable Method> STATUS_METHOD = new ClassValue<>() {
        @Override
        protected @Nullable Method computeValue(Class<?> type) {
            for (String name : new String[] {"getStatusCode", "statusCode", "getRawStatusCode", "getStatus"}) {
                Method m = publicMethod(type, name);
                if (m != null) {
                    return m;
                }
            }
            return null;
        }
    };

    /** The AWS SDK's service exceptions: the service's error code and message, asked with or without a status. */
    private static final String AWS_ERROR_DETAILS = "awsErrorDetails";

    /** Methods that give the body of the failed response, most specific first. */
    private static final String[] BODY_METHODS = {"getResponseBodyAsByteArray", "getResponseBodyAsString",
            "responseBody", "getResponseBody", "body", "getBody", AWS_ERROR_DETAILS};

    private static final ClassValue<@Nullable Method> BODY_METHOD = new ClassValue<>() {
        @Override
        protected @Nullable Method computeValue(Class<?> type) {
            for (String name : BODY_METHODS) {
                Method m = publicMethod(type, name);
                if (m != null && m.getReturnType() != void.class && !m.getReturnType().isPrimitive()) {
                    return m;
                }
            }
            return null;
        }
    };

    private Errors() {
    }

    /**
     * The body of the failed response an exception carries, if any: Spring's
     * {@code WebClientResponseException#getResponseBodyAsByteArray()}, or any public {@code getResponseBodyAsString},
     * {@code responseBody}, {@code getResponseBody}, {@code body} or {@code getBody} method, or the AWS SDK's
     * {@code awsErrorDetails()} (the service's error code and message), found reflectively.
     * Only an exception that also carries an HTTP status ({@link #httpStatus}) is asked, except the AWS SDK's, whose
     * exceptions of a stream that failed after its 200 carry no status of their own.
     *
     * @param error the exception
     * @return the body (a non-empty {@code byte[]} or {@code String}, or another object for the readers to try), or
     *         null when it carries none
     */
    public static @Nullable Object responseBody(@Nullable Throwable error) {
        if (error == null) {
            return null;
        }
        Method m = BODY_METHOD.get(error.getClass());
        if (m == null || !m.getName().equals(AWS_ERROR_DETAILS) && httpStatus(error) == null) {
            return null;
        }
        try {
            Object v = m.invoke(error);
            if (v instanceof byte[] b && b.length == 0 || v instanceof CharSequence s && s.length() == 0) {
                return null;
            }
            return v;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A public no-arg method callable from outside: declared by a public class or interface of the type. */
    static @Nullable Method publicMethod(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Method m = declaredPublic(c, name);
            if (m != null) {
                return m;
            }
            for (Class<?> i : c.getInterfaces()) {
                Method im = declaredPublic(i, name);
                if (im != null) {
                    return im;
                }
            }
        }
        return null;
    }

    private static @Nullable Method declaredPublic(Class<?> c, String name) {
        if (!Modifier.isPublic(c.getModifiers())) {
            return null;
        }
        try {
            Method m = c.getMethod(name);
            return m.getParameterCount() == 0 && Modifier.isPublic(m.getDeclaringClass().getModifiers()) ? m : null;
        } catch (NoSuchMethodException | SecurityException e) {
            return null;
        }
    }

    /**
     * The HTTP status an exception carries, if any.
     *
     * @param error the exception
     * @return a status in 100..599, or null
     */
    public static @Nullable Integer httpStatus(@Nullable Throwable error) {
        if (error == null) {
            return null;
        }
        Method m = STATUS_METHOD.get(error.getClass());
        if (m == null) {
            return null;
        }
        try {
            Object v = m.invoke(error);
            Integer status = null;
            if (v instanceof Integer i) {
                status = i;
            } else if (v != null) {
                Method value = publicMethod(v.getClass(), "value");
                Object iv = value == null ? null : value.invoke(v);
                if (iv instanceof Integer i) {
                    status = i;
                }
            }
            return status != null && status >= 100 && status <= 599 ? status : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
