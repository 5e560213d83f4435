package dev.spectra.reactive.provider;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Values of the AWS SDK for Java v2 that an application hands to the operators: Bedrock Runtime's
 * {@code ConverseResponse}, its ConverseStream events, any other model object of the SDK ({@code SdkPojo}), and the
 * error details of an {@code AwsServiceException}. They are read as the JSON the service sent, through the SDK's own
 * field descriptions ({@link AwsSdkTrees}).
 *
 * <p>The SDK is an optional dependency: a value is recognised by the names of its types, so core never loads an SDK
 * class, nor {@link AwsSdkTrees}, for an application that does not have the SDK. Where the SDK is present but not
 * readable by core (core on the module path, the SDK on the class path) the value is unreadable, never an error.
 */
final class AwsSdkValues {

    private static final String POJO = "software.amazon.awssdk.core.SdkPojo";
    private static final String ERROR_DETAILS = "software.amazon.awssdk.awscore.exception.AwsErrorDetails";

    private AwsSdkValues() {
    }

    /** Whether values of the type are SDK model objects or error details; asked once per type ({@link OtherValueType}). */
    static boolean isSdkType(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(ERROR_DETAILS) || implementsPojo(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean implementsPojo(Class<?> c) {
        for (Class<?> i : c.getInterfaces()) {
            if (i.getName().equals(POJO) || implementsPojo(i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The JSON of an SDK value recognised by {@link #isSdkType}; null when the SDK's classes cannot be reached from
     * core.
     */
    static @Nullable JsonNode tree(Object value) {
        try {
            return AwsSdkTrees.tree(value);
        } catch (LinkageError e) {
            return null;
        }
    }
}
