package org.cairnfs.storage.gc;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.ShareStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks the prefix tree and deletes shares whose leases have all expired.
 *
 * <p>Why paced: a pass touches every share, so it runs at a bounded rate (shares per second)
 * to leave the disk to clients. It holds the listing of the prefix directories (at most 1024)
 * and of one storage index's directory, reading each prefix's indexes as it visits them, and
 * each share is decided under the store's lock for its storage index, so it never races an
 * upload, a lease renewal or a slot write. Off unless the server's config enables it.
 */
public final class ExpiredShareCrawler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExpiredShareCrawler.class);

  private final ShareStore store;
  private final Duration perShare;
  private final Pacer pacer;
  private Thread thread;
  private volatile boolean running;
  /**
   * Held while one share is collected: {@link #close} interrupts only outside it, since an
   * interrupt inside the lease database's I/O would close its file channel for good.
   */
  private final Object collecting = new Object();

  /** What one pass did. */
  public record Pass(long examined, long deleted) {}

  public ExpiredShareCrawler(ShareStore store, double sharesPerSecond, Pacer pacer) {
    if (!(sharesPerSecond > 0) || Double.isInfinite(sharesPerSecond)) {
      throw new IllegalArgumentException("crawl rate must be a positive number of shares per "
          + "second, got " + sharesPerSecond);
    }
    this.store = store;
    this.perShare = Duration.ofNanos(Math.max(1, (long) (1e9 / sharesPerSecond)));
    this.pacer = pacer;
  }

  /** Decides every share of one storage index at once. */
  @FunctionalInterface
  public interface IndexCollection {
    /** How many shares of {@code index} were deleted. */
    int collect(StorageIndex index) throws IOException;
  }

  /**
   * One full pass over every storage index, each decided by {@code rule} as a whole, pausing
   * after each for its shares to keep the rate.
   */
  public Pass crawlIndexes(IndexCollection rule) throws IOException, InterruptedException {
    long examined = 0;
    long deleted = 0;
    for (Path prefix : store.layout().prefixDirs()) {
      try (Stream<StorageIndex> indexes = store.layout().eachIndexUnder(prefix)) {
        for (StorageIndex index : (Iterable<StorageIndex>) indexes::iterator) {
          int shares = store.layout().sharesOf(index).size();
          synchronized (collecting) {
            if (Thread.currentThread().isInterrupted()) {
              throw new InterruptedException("crawl interrupted");
            }
            examined += shares;
            deleted += rule.collect(index);
          }
          pacer.pause(perShare.multipliedBy(Math.max(1, shares)));
        }
      } catch (DirectoryIteratorException e) {
        throw e.getCause();
      }
    }
    return new Pass(examined, deleted);
  }

  /** One full pass over every share, pausing after each to keep the rate. */
  public Pass crawlOnce() throws IOException, InterruptedException {
    long examined = 0;
    long deleted = 0;
    for (Path prefix : store.layout().prefixDirs()) {
      // Read as visited, never held: one prefix may hold millions of indexes.
      try (Stream<StorageIndex> indexes = store.layout().eachIndexUnder(prefix)) {
        for (StorageIndex index : (Iterable<StorageIndex>) indexes::iterator) {
          for (ShareKey key : store.layout().sharesOf(index)) {
            synchronized (collecting) {
              if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("crawl interrupted");
              }
              examined++;
              if (store.collectIfExpired(key)) {
                deleted++;
                LOG.debug("deleted expired share {}", key);
              }
            }
            pacer.pause(perShare);
          }
        }
      } catch (DirectoryIteratorException e) {
        throw e.getCause();
      }
    }
    return new Pass(examined, deleted);
  }

  /** Starts passes in a daemon thread, {@code between} apart. */
  public synchronized void start(Duration between) {
    if (thread != null) {
      throw new IllegalStateException("crawler already started");
    }
    running = true;
    thread = new Thread(() -> loop(between), "cairn-gc-crawler");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop(Duration between) {
    while (running) {
      try {
        Pass pass = crawlOnce();
        LOG.info("gc pass examined {} shares, deleted {}", pass.examined(), pass.deleted());
        pacer.pause(between);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("gc pass failed; retrying after the pause", e);
        try {
          pacer.pause(between);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * Stops the background thread, waiting for it to leave its current share (also when the
   * calling thread is interrupted; its interrupt is kept).
   */
  @Override
  public synchronized void close() {
    running = false;
    if (thread != null) {
      synchronized (collecting) {
        thread.interrupt();
      }
      // Uninterruptibly: the store and the lease database close after this returns, so the
      // thread must have left its share even when the closing thread is interrupted.
      boolean interrupted = false;
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      thread = null;
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
