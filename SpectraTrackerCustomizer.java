package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.SpectraTrackerBuilder;

/**
 * Changes the auto-configured tracker before it is built: a bean of this type is applied, in {@code @Order}, after
 * the {@code spectra.*} properties and the storage, meters and other integrations found on the class path. For
 * example, a destination of the application's own:
 *
 * <pre>{@code
 * @Bean
 * SpectraTrackerCustomizer auditTrail(AuditSink sink) {
 *     return builder -> builder.addDestination("audit", sink, RecorderOptions.defaults());
 * }
 * }</pre>
 *
 * <p>Replacing the sink here ({@code builder.sink(...)}) also takes it out of the storage health indicator.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface SpectraTrackerCustomizer {

    /**
     * @param builder the tracker's builder, with the properties applied
     */
    void customize(SpectraTrackerBuilder builder);
}
