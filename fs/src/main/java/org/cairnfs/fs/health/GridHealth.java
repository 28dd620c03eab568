package org.cairnfs.fs.health;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedVerifyCap;
import org.cairnfs.caps.DirectoryReadCap;
import org.cairnfs.caps.DirectoryVerifyCap;
import org.cairnfs.caps.ImmutableDirectoryVerifyCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.LiteralDirectoryCap;
import org.cairnfs.caps.MutableVerifyCap;
import org.cairnfs.caps.UnknownCap;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * Check, verify and repair of anything stored on the grid, holding at most a verify cap: the
 * layer the CLI's {@code cairn check|verify|repair|deep-check} and a node's maintenance use.
 *
 * <p>Why verify authority is enough: shares hold ciphertext; their hash trees, the erasure code
 * and mutable signatures are all checkable and (for immutable files) regenerable without the
 * read key. So a read or write cap given here is first diminished to its verify cap, and
 * reports name only that (they may be logged or shown without leaking read authority).
 *
 * <p>What each costs, per object: {@code check} one LIST_SHARES (immutable) or one 16 KiB
 * READ_SLOT (mutable) per known server, plus for immutable shares a few KiB of each share's
 * front; {@code verify} additionally every byte of every share; {@code repair} a verify, then
 * reading k shares once more and sending the new copies. A chunked file costs that per chunk and
 * per manifest node, plus downloading its manifest nodes. See docs/architecture.md, "Check,
 * verify, repair".
 *
 * <p>Every method returns at once; the work runs on the grid client's worker threads.
 */
public final class GridHealth {
  static final String PAGES_NOTE = "only the directory's root (a mutable slot) was checked: if "
      + "the directory is paged, its pages are immutable files that only a read cap reaches "
      + "(give its read or write cap to check them too)";

  private final GridClient grid;
  private final ImmutableHealth immutable;
  private final SlotHealth slots;
  private final ChunkedHealth chunked;
  private final DirectoryPages pages;

  private GridHealth(GridClient grid) {
    this.grid = Objects.requireNonNull(grid, "grid");
    this.immutable = new ImmutableHealth(grid);
    this.slots = new SlotHealth(grid);
    this.chunked = new ChunkedHealth(grid, immutable);
    this.pages = new DirectoryPages(grid, immutable);
  }

  public static GridHealth create(GridClient grid) {
    return new GridHealth(grid);
  }

  /**
   * Checks the object {@code cap} names (any file or directory cap; literal caps are always
   * healthy): which servers hold which shares, each share's front checked against the cap.
   * With {@code verify}, every share is also read whole and every block and hash proved.
   * Fails with IllegalArgumentException for a malformed or unknown cap.
   */
  public CompletableFuture<HealthReport> check(String cap, boolean verify) {
    return check(cap, verify, false);
  }

  /** {@link #check(String, boolean)}, also adding or renewing this client's lease on every
   * server that holds a share of the object ({@code --add-lease}). */
  public CompletableFuture<HealthReport> check(String cap, boolean verify, boolean addLease) {
    return CompletableFuture.supplyAsync(() -> run(cap, verify, false, addLease),
        grid.workers());
  }

  /**
   * Verifies the object and re-creates missing or corrupt shares from the verify cap alone:
   * immutable files and every chunk and manifest node of a chunked file are rebuilt from k good
   * shares and placed per the permuted ring until happiness is restored; for a mutable slot
   * (mutable file, directory root) good copies of the current version are copied to servers
   * lacking them, and the report's notes say what a verify cap cannot do. The report is the
   * state after the repair.
   */
  public CompletableFuture<HealthReport> repair(String cap) {
    return repair(cap, false);
  }

  /** {@link #repair(String)}, also adding or renewing this client's leases. */
  public CompletableFuture<HealthReport> repair(String cap, boolean addLease) {
    return CompletableFuture.supplyAsync(() -> run(cap, true, true, addLease), grid.workers());
  }

  /**
   * Checks (or verifies, or repairs when not healthy) the directory {@code dirCap} and every
   * object below it, listing directories through {@code fs}; each object's report goes to
   * {@code each} as soon as it is made (on a worker thread), every object once even when
   * several directories link it.
   */
  public CompletableFuture<DeepCheckSummary> deepCheck(GridFileSystem fs, String dirCap,
      boolean verify, boolean repair, Consumer<HealthReport> each) {
    return deepCheck(fs, dirCap, verify, repair, false, each);
  }

  /** {@link #deepCheck(GridFileSystem, String, boolean, boolean, Consumer)} with leases. */
  public CompletableFuture<DeepCheckSummary> deepCheck(GridFileSystem fs, String dirCap,
      boolean verify, boolean repair, boolean addLease, Consumer<HealthReport> each) {
    return CompletableFuture.supplyAsync(
        () -> new DeepCheck(fs, verify, repair, addLease, each).walk(dirCap), grid.workers());
  }

  /** Dispatches on the cap's kind; blocking. */
  HealthReport run(String text, boolean verify, boolean repair, boolean lease) {
    Cap cap = Cap.parse(text);
    if (cap instanceof UnknownCap) {
      throw new IllegalArgumentException("cannot check a cap of a kind this version does not "
          + "know: " + text.substring(0, Math.min(text.length(), 24)) + "...");
    }
    if (cap instanceof LiteralCap) {
      return HealthReport.literal(cap.toString(), "literal");
    }
    if (cap instanceof LiteralDirectoryCap) {
      return HealthReport.literal(cap.toString(), "directory");
    }
    Cap verifier = cap.verifyCap().orElseThrow(() -> new IllegalArgumentException(
        "this cap names nothing stored: " + cap.getClass().getSimpleName()));
    if (verifier instanceof ImmutableVerifyCap v) {
      return immutable(v, "immutable", verify, repair, lease);
    } else if (verifier instanceof ImmutableDirectoryVerifyCap d) {
      return immutable(d.file(), "immutable directory", verify, repair, lease)
          .withCap(d.toString());
    } else if (verifier instanceof ChunkedVerifyCap c) {
      return chunked.run(c, verify, repair, lease);
    } else if (verifier instanceof MutableVerifyCap m) {
      return repair ? slots.repair(m, m.toString(), "mutable", lease, List.of())
          : slots.check(m, m.toString(), "mutable", verify, lease, List.of());
    } else if (verifier instanceof DirectoryVerifyCap d) {
      if (!(cap.readOnly() instanceof DirectoryReadCap readable)) {
        return repair ? slots.repair(d.file(), d.toString(), "directory", lease,
            List.of(PAGES_NOTE))
            : slots.check(d.file(), d.toString(), "directory", verify, lease,
                List.of(PAGES_NOTE));
      }
      HealthReport root = repair
          ? slots.repair(d.file(), d.toString(), "directory", lease, List.of())
          : slots.check(d.file(), d.toString(), "directory", verify, lease, List.of());
      List<String> notes = new ArrayList<>(root.notes());
      DirectoryPages.Pages pages = this.pages.check(readable.file(), verify, repair, lease,
          notes);
      return root.withPages(pages.reports(), pages.walked(), notes);
    }
    throw new IllegalArgumentException("cannot check a " + verifier.getClass().getSimpleName());
  }

  private HealthReport immutable(ImmutableVerifyCap cap, String kind, boolean verify,
      boolean repair, boolean lease) {
    return repair ? immutable.repair(cap, kind, lease) : immutable.check(cap, kind, verify, lease);
  }

  /** The verify cap of {@code cap}: reports never carry read or write authority. */
  static String shown(String cap) {
    try {
      Cap parsed = Cap.parse(cap);
      return parsed.verifyCap().map(Object::toString).orElse(parsed.toString());
    } catch (RuntimeException e) {
      return "(unreadable cap)";
    }
  }

  /** One deep check: a depth-first walk with a visited set, counting as it goes. */
  private final class DeepCheck {
    private final GridFileSystem fs;
    private final boolean verify;
    private final boolean repair;
    private final boolean lease;
    private final Consumer<HealthReport> each;
    private final Set<String> visited = new HashSet<>();
    private long objects;
    private long healthy;
    private long unhealthy;
    private long repaired;
    private long unrecoverable;
    private long failed;

    DeepCheck(GridFileSystem fs, boolean verify, boolean repair, boolean lease,
        Consumer<HealthReport> each) {
      this.fs = fs;
      this.verify = verify;
      this.repair = repair;
      this.lease = lease;
      this.each = each;
    }

    DeepCheckSummary walk(String root) {
      Deque<String> directories = new ArrayDeque<>();
      if (visit(root, true)) {
        directories.push(root);
      }
      while (!directories.isEmpty()) {
        String dir = directories.pop();
        List<RemoteEntry> entries;
        try {
          entries = Await.get(fs.list(dir), grid.config().readTimeout().multipliedBy(6),
              "listing a directory");
        } catch (java.io.IOException | RuntimeException e) {
          fail(shown(dir), "directory", "could not be listed, so nothing below it was checked: "
              + e.getMessage());
          continue;
        }
        for (RemoteEntry entry : entries) {
          if (entry.cap().isEmpty()) {
            continue; // a symlink: nothing stored
          }
          String child = entry.cap().get();
          boolean isDirectory;
          try {
            isDirectory = Cap.parse(child).isDirectory();
          } catch (RuntimeException e) {
            fail("(entry " + entry.name() + ")", "entry", "not a cap this version reads: "
                + e.getMessage());
            continue;
          }
          if (visit(child, isDirectory) && isDirectory) {
            directories.push(child);
          }
        }
      }
      return new DeepCheckSummary(objects, healthy, unhealthy, repaired, unrecoverable, failed);
    }

    /** Checks one object unless seen before; true if it was new. */
    private boolean visit(String cap, boolean directory) {
      String key;
      try {
        Cap parsed = Cap.parse(cap);
        key = parsed.verifyCap().map(Object::toString).orElse(parsed.toString());
      } catch (RuntimeException e) {
        fail("(unreadable cap)", directory ? "directory" : "file", "not a cap this version reads: "
            + e.getMessage());
        return false;
      }
      if (!visited.add(key)) {
        return false;
      }
      HealthReport report;
      try {
        report = run(cap, verify, false, lease);
        if (repair && !report.healthy()) {
          report = run(cap, true, true, lease);
        }
      } catch (RuntimeException e) {
        fail(key, directory ? "directory" : "file", "check failed: " + e.getMessage());
        return true;
      }
      objects++;
      if (report.healthy()) {
        healthy++;
      } else {
        unhealthy++;
      }
      if (report.repaired()) {
        repaired++;
      }
      if (!report.recoverable()) {
        unrecoverable++;
      }
      each.accept(report);
      return true;
    }


    private void fail(String cap, String kind, String why) {
      failed++;
      each.accept(new HealthReport(cap, kind, false, false, 0, 0, 0, 0, 0, List.of(), false, 0,
          List.of(why), List.of()));
    }
  }
}
