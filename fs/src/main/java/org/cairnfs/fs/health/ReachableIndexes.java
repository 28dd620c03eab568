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
   * checks each of {@code caps} not reached by then (objects kept though maybe linked from
   * nowhere, such as files still open).
   */
  public static CompletableFuture<ReachableIndexes> walk(GridHealth health, GridFileSystem fs,
      List<String> roots, Collection<String> caps) {
    ReachableIndexes found = new ReachableIndexes();
    CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
    for (String root : roots) {
      chain = chain.thenCompose(x -> health.deepCheck(fs, root, false, false, false, found::add)
          .thenAccept(found::failures));
    }
    for (String file : caps) {
      chain = chain.thenCompose(x -> found.covers(file) ? CompletableFuture.completedFuture(null)
          : health.check(file, false).handle((report, failure) -> {
            if (failure != null) {
              found.failed(file, failure);
            } else {
              found.add(report);
            }
            return null;
          }));
    }
    return chain.thenApply(x -> found);
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
  private synchronized boolean covers(String cap) {
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
    gap("checking " + shown(cap) + " failed: " + failure);
  }

  /** A cap as reports show it: its verify cap, never read or write authority. */
  private static String shown(String cap) {
    try {
      Cap parsed = Cap.parse(cap);
      return parsed.verifyCap().map(Object::toString).orElse("a literal");
    } catch (RuntimeException e) {
      return "(unreadable cap)";
    }
  }

  private void gap(String why) {
    gapCount++;
    if (gaps.size() < GAPS_KEPT) {
      gaps.add(why);
    }
  }
}
