package dev.spectra.reactive.provider;

import org.jspecify.annotations.Nullable;

/**
 * What a value of a type that core has no reader of its own for (not a Jackson 3 tree, text, bytes, a Map or a List)
 * turns out to be, decided once per class: a value of the AWS SDK ({@link AwsSdkValues}), a JSON tree of another
 * library ({@link ForeignJson}), or unknown, with the details reported for it made once. A call that hands over
 * such a value pays one class lookup and allocates nothing for it.
 *
 * @param kind what the type is
 * @param unknownDetails for {@link Kind#UNKNOWN}, the unreadable details to report; else null
 */
record OtherValueType(Kind kind, @Nullable ResponseDetails unknownDetails) {

    /** The kinds of types. */
    enum Kind {
        /** An AWS SDK v2 model object or error details. */
        AWS_SDK,
        /** A JSON tree of another library, read from its JSON text. */
        FOREIGN_TREE,
        /** None that a reader understands. */
        UNKNOWN
    }

    private static final ClassValue<OtherValueType> TYPES = new ClassValue<>() {
        @Override
        protected OtherValueType computeValue(Class<?> type) {
            if (AwsSdkValues.isSdkType(type)) {
                return new OtherValueType(Kind.AWS_SDK, null);
            }
            if (ForeignJson.isTreeType(type)) {
                return new OtherValueType(Kind.FOREIGN_TREE, null);
            }
            return new OtherValueType(Kind.UNKNOWN, ForeignJson.unknownTypeDetails(type));
        }
    };

    /**
     * @param value a value of a type core has no reader of its own for
     * @return what its type is
     */
    static OtherValueType of(Object value) {
        return TYPES.get(value.getClass());
    }
}
