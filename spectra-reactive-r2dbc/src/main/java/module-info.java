/**
 * Spectra's PostgreSQL sink and query API over R2DBC: {@code R2dbcSpectraSink}, {@code SpectraSchema},
 * {@code SpectraRequests}. {@code ...r2dbc.internal} is not exported.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // R2DBC ships automatic modules
module dev.spectra.reactive.r2dbc {
    requires transitive dev.spectra.reactive;
    requires transitive r2dbc.spi;
    requires r2dbc.postgresql;
    requires r2dbc.pool;
    requires io.netty.buffer;
    requires tools.jackson.databind;
    requires static org.jspecify;

    exports dev.spectra.reactive.r2dbc;

    // binary array parameters for the sink's insert, on every r2dbc-postgresql connection that detects extensions
    provides io.r2dbc.postgresql.extension.Extension
            with dev.spectra.reactive.r2dbc.internal.ColumnArrayCodec.Registrar;
}
