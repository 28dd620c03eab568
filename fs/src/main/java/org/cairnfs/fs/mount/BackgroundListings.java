package org.cairnfs.fs.mount;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes directories past their TTL off the caller's thread (stale while relisting), so a
 * lookup in a directory already listed never waits for the grid: a tool probing thousands of
 * missing names (git clone) would otherwise pay a grid listing per probe once a TTL passed.
 * At most one listing per directory is in flight; a listing dropped because a publish to the
 * directory raced it is retried at once, a few times.
 */
final class BackgroundListings {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundListings.class);
  static final int ATTEMPTS = 3;

  /** One listing of one directory: true once installed, false when a publish raced it. */
  interface Listing {
    boolean run() throws FsException;
  }

  private final Set<DirNode> inFlight = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "cairn-relist");
    t.setDaemon(true);
    return t;
  });
  /** Background refreshes finished (installed, dropped or failed); tests wait on it. */
  final AtomicLong finished = new AtomicLong();
  /** Grid listings made in the background, retries included. */
  final AtomicLong listings = new AtomicLong();

  /** Starts {@code listing} of {@code d} unless one of {@code d} is in flight already. */
  void refresh(DirNode d, Listing listing) {
    if (!inFlight.add(d)) {
      return;
    }
    try {
      threads.execute(() -> {
        try {
          boolean installed = false;
          for (int i = 0; i < ATTEMPTS && !installed; i++) {
            listings.incrementAndGet();
            installed = listing.run(); // false: a publish raced the listing, list again
          }
        } catch (FsException | RuntimeException e) {
          LOG.debug("background listing failed: {}", e.getMessage());
        } finally {
          inFlight.remove(d);
          finished.incrementAndGet();
        }
      });
    } catch (RejectedExecutionException closed) {
      inFlight.remove(d);
    }
  }

  /** Stops the listings (the mount is closing); waits a moment for one in flight. */
  void close() {
    threads.shutdownNow();
    try {
      threads.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
