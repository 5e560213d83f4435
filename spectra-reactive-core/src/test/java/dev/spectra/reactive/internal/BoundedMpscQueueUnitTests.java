package dev.spectra.reactive.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedMpscQueueUnitTests {

    @Test
    void holdsAtMostItsCapacityInFifoOrder() {
        BoundedMpscQueue<Integer> q = new BoundedMpscQueue<>(3);
        assertThat(q.offer(1)).isTrue();
        assertThat(q.offer(2)).isTrue();
        assertThat(q.offer(3)).isTrue();
        assertThat(q.offer(4)).isFalse();
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.poll()).isEqualTo(1);
        assertThat(q.offer(5)).isTrue();
        assertThat(List.of(q.poll(), q.poll(), q.poll())).containsExactly(2, 3, 5);
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.offered()).as("every accepted element, not the refused one, polled or not").isEqualTo(4);
        assertThatThrownBy(() -> new BoundedMpscQueue<>(0)).hasMessage("queue capacity must be at least 1, was 0");
    }

    @Test
    void manyProducersOneConsumerLoseAndDuplicateNothingAndKeepEachProducersOrder() throws Exception {
        int producers = 4;
        int perProducer = 50_000;
        BoundedMpscQueue<long[]> q = new BoundedMpscQueue<>(1024);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    long[] item = {id, i};
                    while (!q.offer(item)) {
                        Thread.onSpinWait();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long[] next = new long[producers];
        AtomicBoolean outOfOrder = new AtomicBoolean();
        int received = 0;
        start.countDown();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (received < producers * perProducer && System.nanoTime() < deadline) {
            long[] item = q.poll();
            if (item == null) {
                Thread.onSpinWait();
                continue;
            }
            if (item[1] != next[(int) item[0]]) {
                outOfOrder.set(true);
            }
            next[(int) item[0]] = item[1] + 1;
            received++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(received).isEqualTo(producers * perProducer);
        assertThat(q.offered()).isEqualTo(producers * perProducer);
        assertThat(outOfOrder).isFalse();
        assertThat(q.poll()).isNull();
    }
}
