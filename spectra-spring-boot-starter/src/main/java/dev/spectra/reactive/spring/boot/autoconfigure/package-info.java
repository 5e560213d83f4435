/**
 * Spring Boot auto-configuration of Spectra: one class per concern (the tracker, PostgreSQL storage, WebClient
 * capture, Micrometer meters, health), each bean backing off when the application defines its own, each
 * integration configured only when its library is on the class path. Properties: {@link
 * dev.spectra.reactive.spring.boot.autoconfigure.SpectraProperties}; extension point: {@link
 * dev.spectra.reactive.spring.boot.autoconfigure.SpectraTrackerCustomizer}.
 */
@NullMarked
package dev.spectra.reactive.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
