package org.cairnfs.fs.health;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.client.GridFileSystem;

/**
 * The storage index of everything below some directories (directory roots and pages, files,
 * chunks, manifest nodes), found by a deep check, and whether the walk was whole: what a
 * collector must keep, since anything else on its servers is linked from none of them.
 *
 * <p>Why "whole" is strict: a directory that could not be listed, a manifest not walked to its
 * end or an unrecoverable object hides indexes the walk never saw, and a directory whose copies
 * disagree (not healthy) may have been listed at an older version. Any of these makes {@link
 * #gaps} non-empty, and a collector must then delete nothing. Whether a directory changed
 * during the walk is the caller's to know (the servers' slot commits).
 *
 * <p>Cost: a deep check without verify (per object, a survey of every server; per chunked file
 * its manifest nodes), plus one index (about 60 bytes) held per stored object.
 */
public final class ReachableIndexes {
  private static final int GAPS_KEPT = 5;

  private final Set<StorageIndex> indexes = new HashSet<>();
  private final List<String> gaps = new ArrayList<>();
  private long gapCount;
  private long objects;

  private ReachableIndexes() {}

  /**
   * Walks every directory of {@code roots} (directory caps the walk can list) in turn, then
   * each of {@code inUse} not reached by then (caps a mount may still read or link though no
   * root reaches them: a removed file still open, a listing served stale): a directory with its
   * whole tree, a file with its chunks. A cap in use whose object has no share left anywhere is
   * passed over (nothing to keep); more than {@link #MAX_UNREACHED_IN_USE} unreached is a gap.
   */
  public static CompletableFuture<ReachableIndexes> walk(GridHealth health, GridFileSystem fs,
      List<String> roots, Collection<String> inUse) {
    ReachableIndexes found = new ReachableIndexes();
    CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
    for (String root : roots) {
      chain = chain.thenCompose(x -> health.deepCheck(fs, root, false, false, false, found::add)
          .thenAccept(found::failures));
    }
    return chain.thenCompose(x -> {
      List<String> unreached = inUse.stream().filter(c -> !found.covers(c)).toList();
      if (unreached.size() > MAX_UNREACHED_IN_USE) {
        found.gap(unreached.size() + " caps in use are reached by no root (more than "
            + MAX_UNREACHED_IN_USE + ")");
        return CompletableFuture.completedFuture(found);
      }
      CompletableFuture<?> more = CompletableFuture.completedFuture(null);
      for (String cap : unreached) {
        more = more.thenCompose(y -> found.keepInUse(health, fs, cap));
      }
      return more.thenApply(y -> found);
    });
  }

  /** Most caps in use a walk checks one by one beyond what its roots reached. */
  public static final int MAX_UNREACHED_IN_USE = 1_000;

  private CompletableFuture<Void> keepInUse(GridHealth health, GridFileSystem fs, String cap) {
    if (covers(cap)) {
      return CompletableFuture.completedFuture(null);
    }
    return health.check(cap, false).handle((report, failure) -> {
      if (failure != null) {
        failed(cap, failure);
        return CompletableFuture.<Void>completedFuture(null);
      }
      if (nothingStored(cap, report)) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      if (parsesAsDirectory(cap)) {
        return health.deepCheck(fs, cap, false, false, false, this::add)
            .thenAccept(this::failures);
      }
      add(report);
      return CompletableFuture.<Void>completedFuture(null);
    }).thenCompose(f -> f);
  }

  private static boolean parsesAsDirectory(String cap) {
    try {
      return Cap.parse(cap).isDirectory();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Whether the object {@code cap} names has no good share anywhere (its own index). */
  private static boolean nothingStored(String cap, HealthReport report) {
    StorageIndex index;
    try {
      index = Cap.parse(cap).storageIndex().orElse(null);
    } catch (RuntimeException e) {
      return false;
    }
    HealthReport own = ownReport(index, report);
    return own != null && own.found() == 0;
  }

  private static HealthReport ownReport(StorageIndex index, HealthReport report) {
    try {
      if (index != null && index.equals(Cap.parse(report.cap()).storageIndex().orElse(null))
          && report.parts().isEmpty()) {
        return report;
      }
    } catch (RuntimeException e) {
      return null;
    }
    for (HealthReport part : report.parts()) {
      HealthReport own = ownReport(index, part);
      if (own != null) {
        return own;
      }
    }
    return null;
  }

  /** The indexes found; complete only when {@link #gaps} is empty. */
  public Set<StorageIndex> indexes() {
    return Collections.unmodifiableSet(indexes);
  }

  /** Why the walk may have missed indexes (the first few); empty when it was whole. */
  public List<String> gaps() {
    return Collections.unmodifiableList(gaps);
  }

  /** How many gaps there were in all. */
  public long gapCount() {
    return gapCount;
  }

  /** Objects reported (files, directories; a chunked file counts once). */
  public long objects() {
    return objects;
  }

  /** Whether the walk reached {@code cap}'s storage index (a literal stores nothing). */
  public synchronized boolean covers(String cap) {
    try {
      return Cap.parse(cap).storageIndex().map(indexes::contains).orElse(true);
    } catch (RuntimeException e) {
      return false; // checked, and a gap
    }
  }

  private synchronized void add(HealthReport report) {
    objects++;
    collect(report);
  }

  private void collect(HealthReport report) {
    try {
      Cap.parse(report.cap()).storageIndex().ifPresent(indexes::add);
    } catch (RuntimeException e) {
      gap("(" + report.kind() + ") " + report.notes());
      return;
    }
    if (!report.recoverable()) {
      gap(report.kind() + " " + report.cap() + " is not recoverable: " + report.notes());
    } else if ((report.kind().equals("directory") || report.kind().equals("mutable"))
        && !report.healthy()) {
      gap(report.kind() + " " + report.cap() + " is not healthy, so it may have been read at an "
          + "older version: " + report.notes());
    }
    for (HealthReport part : report.parts()) {
      collect(part);
    }
  }

  private synchronized void failures(DeepCheckSummary summary) {
    if (summary.failed() > 0 && gapCount == 0) {
      gap(summary.failed() + " objects could not be checked");
    }
  }

  private synchronized void failed(String cap, Throwable failure) {
    gap("checking " + GridHealth.shown(cap) + " failed: " + failure);
  }

  private synchronized void gap(String why) {
    gapCount++;
    if (gaps.size() < GAPS_KEPT) {
      gaps.add(why);
    }
  }
}
