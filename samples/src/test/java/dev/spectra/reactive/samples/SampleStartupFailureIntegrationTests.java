package dev.spectra.reactive.samples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A sample that cannot start stops what it had started, leaves no global state behind, and says why it failed. */
class SampleStartupFailureIntegrationTests {

    private static final SampleConfig.Endpoint STAND_IN = new SampleConfig.Endpoint(null, null);
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private static SampleConfig config(int port, int requests) {
        return new SampleConfig(null, "127.0.0.1", port, requests, true, null, false, 0.05, STAND_IN, STAND_IN, STAND_IN,
                false);
    }

    @BeforeEach
    void noGlobalTracker() {
        Spectra.resetTracker();
        Spectra.clearGlobals();
    }

    @Test
    void aTakenApiPortStopsWhatHadStartedAndRethrows() throws IOException {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Throwable failure;
        int taken;
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            taken = socket.getLocalPort();
            failure = catchThrowable(() -> SampleApp.start(config(taken, 1),
                    new PrintStream(progress, true, StandardCharsets.UTF_8)));
        }

        // the failure of the step that failed; the cleanup added none (Reactor's block() adds its own marker)
        assertThat(failure).isInstanceOf(RuntimeException.class).hasMessageContaining(String.valueOf(taken));
        assertThat(failure.getSuppressed()).allSatisfy(s -> assertThat(s).hasMessageStartingWith("#block"));

        // the database and the three stand-in servers had started, and are stopped
        String printed = progress.toString(StandardCharsets.UTF_8);
        List<Integer> ports = ports(printed, "embedded PostgreSQL on port (\\d+)");
        assertThat(ports).as(printed).hasSize(1);
        List<Integer> standIns = ports(printed, "http://127\\.0\\.0\\.1:(\\d+)");
        assertThat(standIns).as(printed).hasSize(3);
        ports.addAll(standIns);
        for (int port : ports) {
            assertThat(listening(port)).as("something listens on %d", port).isFalse();
        }

        // no global tracker and no global metadata of the sample remain
        assertThat(Spectra.resetTracker()).isNull();
        try (SpectraFake fake = SpectraFake.install()) {
            Spectra.recordSuccess(Spectra.startCall("openai", "gpt-4o-mini"), null).block(Duration.ofSeconds(5));
            assertThat(fake.last().metadata()).doesNotContainKeys("service", "env");
        }

        // and the next sample starts and runs
        try (SampleApp app = SampleApp.start(config(0, 1), QUIET)) {
            app.runWorkload().block(Duration.ofMinutes(1));
            assertThat(app.tracker().stats().recorded()).isPositive();
            assertThat(Spectra.tracker()).isSameAs(app.tracker());
        }
    }

    @Test
    void closeRunsOnceAndEveryCallerReturnsWhenItIsDone() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        SampleApp app = SampleApp.start(config(0, 1), new PrintStream(progress, true, StandardCharsets.UTF_8));
        int database = ports(progress.toString(StandardCharsets.UTF_8), "embedded PostgreSQL on port (\\d+)").get(0);
        app.runWorkload().block(Duration.ofMinutes(1));
        long recorded = app.tracker().stats().recorded();
        assertThat(listening(database)).as("the database listens on 127.0.0.1:%d", database).isTrue();

        // as the shutdown hook and main would: whichever closes, the other waits for it
        Thread hook = new Thread(app::close, "test-shutdown-hook");
        hook.start();
        app.close();
        assertThat(listening(database)).as("the database is stopped when close returns").isFalse();
        hook.join(Duration.ofSeconds(30).toMillis());
        assertThat(hook.isAlive()).isFalse();
        app.close();

        assertThat(app.tracker().stats().delivery().written()).isEqualTo(recorded);
        assertThat(Spectra.resetTracker()).isNull();
    }

    private static List<Integer> ports(String text, String regex) {
        List<Integer> ports = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            ports.add(Integer.parseInt(m.group(1)));
        }
        return ports;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
