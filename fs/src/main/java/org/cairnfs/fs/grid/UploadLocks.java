package org.cairnfs.fs.grid;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.cairnfs.caps.StorageIndex;

/**
 * One upload at a time per storage index within a client. Why: a server restarts an open upload
 * when the same client allocates the same share again, so two concurrent uploads of one
 * convergent file (two identical chunks of a file, say) would abort each other's shares. The
 * second waits for the first, then finds every share already held and sends nothing.
 */
final class UploadLocks {
  /** A held lock; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  private final Map<StorageIndex, CountDownLatch> running = new ConcurrentHashMap<>();

  /** Waits until no other upload of {@code index} runs, then holds it until closed. */
  Held acquire(StorageIndex index) throws IOException {
    CountDownLatch mine = new CountDownLatch(1);
    while (true) {
      CountDownLatch other = running.putIfAbsent(index, mine);
      if (other == null) {
        return () -> {
          running.remove(index, mine);
          mine.countDown();
        };
      }
      try {
        other.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for another upload of " + index);
      }
    }
  }
}
