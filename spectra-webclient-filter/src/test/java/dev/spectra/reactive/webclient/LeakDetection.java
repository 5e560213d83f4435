package dev.spectra.reactive.webclient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reports a buffer leak: a {@link ResourceLeakDetectorFactory} whose detectors keep every
 * report, installed before any buffer class is loaded (this extension is registered for every test through
 * {@code META-INF/services}), and a check after each test that makes the garbage collector find unreleased
 * buffers and lets the detectors report them.
 *
 * <p>The surefire configuration sets {@code -Dio.netty.leakDetection.level=paranoid}: every buffer is tracked.
 */
public final class LeakDetection implements BeforeEachCallback, AfterEachCallback {

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new Recording());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(); // leaks of an earlier test outside this module's tests are not this test's
        LEAKS.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> leaks = check();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during "
                    + context.getDisplayName() + ":\n" + String.join("\n----\n", leaks));
        }
    }

    /**
     * Collects garbage and allocates a few buffers (a detector reports the leaks it found when it tracks a new
     * buffer), then takes what was reported.
     *
     * @return the reports, removed from the record
     */
    static List<String> check() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            for (ByteBufAllocator a : new ByteBufAllocator[] {ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                    UnpooledByteBufAllocator.DEFAULT}) {
                ByteBuf probe = a.buffer(8);
                probe.release();
                ByteBuf direct = a.directBuffer(8);
                direct.release();
            }
        }
        List<String> taken = new ArrayList<>();
        for (String s; (s = LEAKS.poll()) != null; ) {
            taken.add(s);
        }
        return taken;
    }

    /** @return whether the recording factory is the one Netty uses */
    static boolean installed() {
        return ResourceLeakDetectorFactory.instance() instanceof Recording
                && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
    }

    private static final class Recording extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK " + resourceType + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK " + resourceType + " (untraced)");
        }
    }
}
