package dev.spectra.reactive.webclient;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The leak check that guards every test of this module finds a leak when there is one. */
class LeakDetectionUnitTests {

    @Test
    void theCheckerIsInstalledAtParanoidLevel() {
        assertThat(LeakDetection.installed()).as("recording factory installed, level paranoid").isTrue();
    }

    @Test
    void aBufferNeverReleasedIsReported() {
        leakOne();
        List<String> leaks = LeakDetection.check();
        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0)).startsWith("LEAK ").contains("leakOne");
    }

    @Test
    void releasedBuffersAreNotReported() {
        ByteBuf b = ByteBufAllocator.DEFAULT.buffer(64).writeInt(7);
        b.release();
        assertThat(LeakDetection.check()).isEmpty();
    }

    private static void leakOne() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeLong(42L); // touched, then dropped without release()
    }
}
