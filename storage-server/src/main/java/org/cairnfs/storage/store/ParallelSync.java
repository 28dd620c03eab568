package org.cairnfs.storage.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issues many fsyncs at once. Why: a journaling file system commits concurrent fsyncs in one
 * journal transaction and one device flush, so 32 files synced from 8 threads cost a few
 * flushes, not 32 (measured on ext4: about 4 times faster than one after the other).
 */
final class ParallelSync implements AutoCloseable {
  /** What is done to each item; may block on the disk. */
  interface Action<T> {
    void run(T item) throws IOException;
  }

  private final ExecutorService pool;

  ParallelSync(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs {@code action} on every item, in parallel; returns the items that failed, with why. */
  <T> Map<T, IOException> each(List<T> items, Action<T> action) {
    Map<T, IOException> failed = new HashMap<>();
    if (items.size() == 1) {
      try {
        action.run(items.get(0));
      } catch (IOException e) {
        failed.put(items.get(0), e);
      }
      return failed;
    }
    List<Future<IOException>> results = new ArrayList<>(items.size());
    for (T item : items) {
      results.add(pool.submit(() -> {
        try {
          action.run(item);
          return null;
        } catch (IOException e) {
          return e;
        }
      }));
    }
    for (int i = 0; i < items.size(); i++) {
      IOException e = await(results.get(i));
      if (e != null) {
        failed.put(items.get(i), e);
      }
    }
    return failed;
  }

  private static IOException await(Future<IOException> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true; // the sync must finish before the batch moves on
        } catch (ExecutionException e) {
          // the task returns its IOException, so only an unchecked failure gets here
          Throwable c = e.getCause();
          return new IOException(c.toString(), c);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
