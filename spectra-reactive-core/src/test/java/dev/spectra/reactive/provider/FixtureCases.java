package dev.spectra.reactive.provider;

import java.util.List;

import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;

/** Every fixture file and its exact expected reading: the shared table, in core's types. */
final class FixtureCases {

    private FixtureCases() {
    }

    /** The fixtures that HTTP capture paths replay. */
    static List<FixtureCase> all() {
        return ProviderFixtures.all().stream().map(FixtureCase::of).toList();
    }

    /** The fixtures of answers that only an SDK's objects carry (AWS Bedrock), in their JSON shape. */
    static List<FixtureCase> sdkOnly() {
        return ProviderFixtures.sdkOnly().stream().map(FixtureCase::of).toList();
    }
}
