package org.cairnfs.fs.mount;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link MemoryGrid} whose next listing or next publish a test can hold, so that a race
 * between a listing and a publish (or between two listings) happens in one order, every time,
 * with no sleeps: the test waits for the held call to be made, changes the grid, then lets it go.
 */
final class GatedGrid implements GridBackend {
  final MemoryGrid grid;
  private final AtomicReference<Hold> nextList = new AtomicReference<>();
  private final AtomicReference<Hold> nextPublish = new AtomicReference<>();
  /** When set, runs at each listing before the grid is read (e.g. marks a publish begun). */
  volatile Runnable beforeEachList;
  /** When set, runs after each publish has reached the grid (e.g. checks what it left there). */
  volatile Runnable afterEachPublish;

  GatedGrid(MemoryGrid grid) {
    this.grid = grid;
  }

  /** One held call: {@link #reached} once it is made, answered after {@link #release}. */
  static final class Hold {
    private final CompletableFuture<Void> reached = new CompletableFuture<>();
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private java.util.function.Predicate<List<EntryChange>> which;

    /** Waits until the held call was made (a listing: and has read the grid's entries). */
    void awaitReached() throws Exception {
      reached.get(20, TimeUnit.SECONDS);
    }

    void release() {
      released.complete(null);
    }
  }

  /**
   * The next listing reads the grid's entries at once and answers them only when released: a
   * listing that started before whatever the test does meanwhile.
   */
  Hold holdNextList() {
    Hold h = new Hold();
    nextList.set(h);
    return h;
  }

  /** The next publish waits for its release before it reaches the grid. */
  Hold holdNextPublish() {
    return holdNextPublish(changes -> true);
  }

  /** The next publish whose changes {@code which} accepts waits for its release. */
  Hold holdNextPublish(java.util.function.Predicate<List<EntryChange>> which) {
    Hold h = new Hold();
    h.which = which;
    nextPublish.set(h);
    return h;
  }

  @Override
  public CompletableFuture<List<RemoteEntry>> list(String directoryCap) {
    Runnable before = beforeEachList;
    if (before != null) {
      before.run();
    }
    Hold h = nextList.getAndSet(null);
    CompletableFuture<List<RemoteEntry>> f = grid.list(directoryCap);
    if (h == null) {
      return f;
    }
    f.whenComplete((r, e) -> h.reached.complete(null));
    return f.thenCombine(h.released, (r, x) -> r);
  }

  @Override
  public CompletableFuture<List<EntryChange.Outcome>> applyChanges(String directoryCap,
      List<EntryChange> changes) {
    Hold h = nextPublish.get();
    if (h != null && !(h.which.test(changes) && nextPublish.compareAndSet(h, null))) {
      h = null;
    }
    CompletableFuture<List<EntryChange.Outcome>> f;
    if (h == null) {
      f = grid.applyChanges(directoryCap, changes);
    } else {
      h.reached.complete(null);
      f = h.released.thenCompose(x -> grid.applyChanges(directoryCap, changes));
    }
    Runnable after = afterEachPublish;
    return after == null ? f : f.thenApply(o -> {
      after.run();
      return o;
    });
  }

  @Override
  public CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
    return grid.read(fileCap, offset, length);
  }

  @Override
  public InputStream open(String fileCap, long offset, long length) {
    return grid.open(fileCap, offset, length);
  }

  @Override
  public CompletableFuture<String> writeFile(FileWrite write) {
    return grid.writeFile(write);
  }

  @Override
  public CompletableFuture<String> createDirectory() {
    return grid.createDirectory();
  }

  @Override
  public CompletableFuture<GridSpace> space() {
    return grid.space();
  }

  @Override
  public boolean keepsUserXattrs() {
    return grid.keepsUserXattrs();
  }
}
