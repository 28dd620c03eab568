package org.cairnfs.introducer.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link GridMembership} does when its server list changes: tells the listeners at once
 * and writes the announcement cache a little later, one write for a burst of changes. Both run
 * on the membership's own thread.
 */
final class MembershipChanges {
  // logs under the membership's name, as its own code did
  private static final Logger log = LoggerFactory.getLogger(GridMembership.class);

  private final ScheduledExecutorService scheduler;
  /** Null when the membership keeps no cache. */
  private final AnnouncementCache cache;
  private final AnnouncementIntake intake;
  private final Duration saveDelay;
  /** The membership's current list (expiring as it reads). */
  private final Supplier<List<GridServer>> servers;
  private final List<Consumer<List<GridServer>>> listeners = new CopyOnWriteArrayList<>();
  private boolean savePending;
  private volatile boolean stopped;

  MembershipChanges(ScheduledExecutorService scheduler, AnnouncementCache cache,
      AnnouncementIntake intake, Duration saveDelay, Supplier<List<GridServer>> servers) {
    this.scheduler = scheduler;
    this.cache = cache;
    this.intake = intake;
    this.saveDelay = saveDelay;
    this.servers = servers;
  }

  void addListener(Consumer<List<GridServer>> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  void removeListener(Consumer<List<GridServer>> listener) {
    listeners.remove(listener);
  }

  /** Waits until at least {@code count} servers are known or {@code timeout} passes. */
  List<GridServer> awaitServers(int count, Duration timeout) throws InterruptedException {
    CompletableFuture<Void> enough = new CompletableFuture<>();
    Consumer<List<GridServer>> l = list -> {
      if (list.size() >= count) {
        enough.complete(null);
      }
    };
    addListener(l);
    try {
      if (servers.get().size() < count) {
        enough.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      // return what we have
    } finally {
      removeListener(l);
    }
    return servers.get();
  }

  /** Notifies listeners now and saves the cache a little later (coalescing bursts). */
  void changed() {
    if (stopped) {
      return;
    }
    try {
      scheduler.execute(this::notifyListeners);
      synchronized (this) {
        if (cache == null || savePending) {
          return;
        }
        savePending = true;
      }
      scheduler.schedule(() -> {
        synchronized (this) {
          savePending = false;
        }
        saveNow();
      }, saveDelay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // closing: close() saves
    }
  }

  /** No change is told or saved from now on (the membership is closing and saves itself). */
  void stop() {
    stopped = true;
  }

  private void notifyListeners() {
    List<GridServer> list = servers.get();
    for (Consumer<List<GridServer>> l : listeners) {
      try {
        l.accept(list);
      } catch (RuntimeException e) {
        log.warn("grid membership listener failed", e);
      }
    }
  }

  /** Writes the cache now, if there is one; a failure is logged. */
  void saveNow() {
    if (cache == null) {
      return;
    }
    List<AnnouncementCache.Entry> entries = intake.cacheEntries(cache.maxBytes());
    try {
      cache.save(entries);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot write the announcement cache {}: {}", cache.file(), e.toString());
    }
  }
}
