package dev.spectra.reactive.okhttp;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import okio.Buffer;

/** Shows bytes of an Okio buffer in place: views of its segments, never copied, never consumed. */
final class Bytes {

    private Bytes() {
    }

    /**
     * Shows {@code count} bytes of {@code buffer} from {@code offset} to {@code sink}, segment by segment, as
     * read-only views; the buffer's content and size are unchanged.
     */
    static void show(Buffer buffer, long offset, long count, Consumer<ByteBuffer> sink) {
        if (count <= 0) {
            return;
        }
        try (Buffer.UnsafeCursor cursor = buffer.readUnsafe()) {
            long left = count;
            int available = cursor.seek(offset);
            while (available > 0 && left > 0) {
                int take = (int) Math.min(available, left);
                sink.accept(ByteBuffer.wrap(cursor.data, cursor.start, take).asReadOnlyBuffer());
                left -= take;
                available = cursor.next();
            }
        }
    }
}
