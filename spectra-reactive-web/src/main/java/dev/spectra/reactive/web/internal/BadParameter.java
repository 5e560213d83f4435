package dev.spectra.reactive.web.internal;

/** A request the API cannot accept; answered with 400 naming the parameter. */
public final class BadParameter extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The parameter at fault ({@code query} for the query string as a whole). */
    private final String parameter;

    /**
     * @param parameter the parameter at fault
     * @param message what is wrong, for the caller
     */
    public BadParameter(String parameter, String message) {
        super(message, null, false, false);
        this.parameter = parameter;
    }

    /** @return the parameter at fault */
    public String parameter() {
        return parameter;
    }
}
