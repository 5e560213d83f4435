package dev.spectra.reactive.provider;

import java.util.List;

import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;

/** Every fixture file and its exact expected reading: the shared table, in core's types. */
final class FixtureCases {

    private FixtureCases() {
    }

    static List<FixtureCase> all() {
        return ProviderFixtures.all().stream().map(FixtureCase::of).toList();
    }
}
