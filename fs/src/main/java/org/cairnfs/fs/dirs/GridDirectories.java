package org.cairnfs.fs.dirs;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryCap;
import org.cairnfs.caps.DirectoryReadCap;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.ImmutableDirectoryReadCap;
import org.cairnfs.caps.LiteralDirectoryCap;
import org.cairnfs.caps.dirnode.ChildWriteCapKey;
import org.cairnfs.caps.dirnode.DirectoryContents;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.FlatRoot;
import org.cairnfs.caps.dirnode.PageSecret;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ImmutableFile;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.mutable.MutableVersion;

/**
 * Directories on the grid. A directory is a mutable file holding its root: the whole entry list
 * while small (format version 1), the top of a B+-tree of immutable pages once it outgrows
 * {@link PagingPolicy#flatMaxBytes()} (version 2), so that a change rewrites O(log n) pages plus
 * the root and a lookup reads O(log n) pages ({@link DirectoryTree}).
 *
 * <p>Concurrent writers: a change is a list of entry-level {@link DirectoryEdit}s, applied by
 * read-modify-publish on the mutable file; when another writer published at the same time, the
 * newest version is read again and the same edits re-applied on it ({@link MutableFiles#modify}),
 * so two writers adding different names both keep theirs and for one name the last publish wins.
 *
 * <p>Authority: through a write cap, listings unseal children's write caps ({@link
 * ChildWriteCapKey}); through a read cap they give read caps only. Immutable and literal
 * directory caps are read-only. Pages read are cached (bounded in bytes) across directories;
 * roots are always read fresh, one mutable-file read per operation.
 */
public final class GridDirectories {
  public static final long DEFAULT_CACHE_BYTES = 64L << 20;

  private final GridClient grid;
  private final MutableFiles mutable;
  private final PagingPolicy policy;
  private final AsyncCache<String, byte[]> pages;
  private final CostCounters costs = new CostCounters();
  private final SecureRandom random = new SecureRandom();
  private final Duration timeout;

  private GridDirectories(GridClient grid, PagingPolicy policy, long cacheBytes) {
    this.grid = Objects.requireNonNull(grid, "grid");
    this.policy = Objects.requireNonNull(policy, "policy");
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("page cache bytes must be >= 0, got " + cacheBytes);
    }
    this.mutable = MutableFiles.on(grid);
    this.pages = Caffeine.newBuilder().maximumWeight(cacheBytes)
        .weigher((String k, byte[] v) -> v.length + k.length()).buildAsync();
    this.timeout = grid.config().stallTimeout().multipliedBy(10);
  }

  /** Directories with the default paging policy and a 64 MiB page cache. */
  public static GridDirectories create(GridClient grid) {
    return new GridDirectories(grid, PagingPolicy.DEFAULT, DEFAULT_CACHE_BYTES);
  }

  public static GridDirectories create(GridClient grid, PagingPolicy policy, long cacheBytes) {
    return new GridDirectories(grid, policy, cacheBytes);
  }

  public PagingPolicy policy() {
    return policy;
  }

  /** The page cache (tests weigh it). */
  AsyncCache<String, byte[]> pageCache() {
    return pages;
  }

  /** What this client's directory operations have cost so far. */
  public DirectoryCosts costs() {
    return costs.snapshot();
  }

  /** A new, empty directory; its write cap. */
  public CompletableFuture<DirectoryWriteCap> create() {
    byte[] root = new FlatRoot(DirectoryContents.empty()).encode();
    return mutable.create(root).thenApply(file -> {
      costs.rootPublished(root.length);
      return new DirectoryWriteCap(file);
    });
  }

  /**
   * Every entry, in name order. Through a write cap, children's write caps are unsealed where
   * the entry holds one; otherwise (and through any other cap) read caps.
   */
  public CompletableFuture<List<ListedEntry>> list(DirectoryCap cap) {
    return withTree(cap, tree -> {
      Optional<ChildWriteCapKey> key = unsealer(cap);
      List<ListedEntry> out = new ArrayList<>(); // not sized by the root's unchecked count
      tree.list(e -> out.add(listed(e, key)));
      return out;
    });
  }

  /**
   * At most {@code max} entries named after {@code after} (from the first when empty), in name
   * order, as in {@link #list} but without their user xattrs: a page of a listing, holding one
   * directory page per level, and at most a few KiB per entry (an entry's xattrs may hold 32 KiB).
   */
  public CompletableFuture<List<ListedEntry>> listPage(DirectoryCap cap,
      Optional<EntryName> after, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("a listing page holds at least 1 entry, got " + max);
    }
    return withTree(cap, tree -> {
      Optional<ChildWriteCapKey> key = unsealer(cap);
      List<ListedEntry> out = new ArrayList<>();
      DirectoryTree.EntryVisitor page = e -> {
        ListedEntry l = listed(e, key);
        out.add(l.metadata().xattrs().isEmpty() ? l
            : new ListedEntry(l.name(), l.cap(), l.metadata().withXattrs(Map.of())));
        return out.size() < max;
      };
      if (after.isPresent()) {
        tree.listAfter(after.get(), page);
      } else {
        tree.list(page);
      }
      return out;
    });
  }

  /** The entry {@code name}, reading O(log n) pages; as in {@link #list}. */
  public CompletableFuture<Optional<ListedEntry>> lookup(DirectoryCap cap, EntryName name) {
    return withTree(cap, tree -> tree.get(name).map(e -> listed(e, unsealer(cap))));
  }

  /**
   * The read caps of every stored page of the directory's current version (reading inner pages
   * only), for check, repair and lease renewal: a paged directory is its mutable file plus
   * these immutable files. Empty for a flat directory.
   */
  public CompletableFuture<List<String>> pageCaps(DirectoryCap cap) {
    return withTree(cap, tree -> {
      List<String> out = new ArrayList<>();
      tree.forEachPage((page, level) -> out.add(page.cap().toString()));
      return out;
    });
  }

  /** Number of entries (from the root alone in a paged directory). */
  public CompletableFuture<Long> size(DirectoryCap cap) {
    return withTree(cap, DirectoryTree::size);
  }

  /**
   * Applies {@code edits} in order as one new version of the directory; on a collision with
   * another writer, applies them again on the newest version. Completes when the version is
   * published; nothing is published when the edits change nothing.
   *
   * @return one outcome per edit, as applied to the version published (or found unchanged)
   */
  public CompletableFuture<List<DirectoryChanges.Outcome>> apply(DirectoryWriteCap cap,
      List<DirectoryEdit> edits) {
    DirectoryChanges changes;
    ChildWriteCapKey key = ChildWriteCapKey.of(cap);
    try {
      changes = toChanges(edits, key);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "directory " + cap.storageIndex().orElseThrow() + ": " + e.getMessage(), e));
    }
    GridPageStore store = new GridPageStore(grid,
        Optional.of(PageSecret.encoder(cap.readOnly(), grid.config().params())), pages, costs);
    AtomicReference<List<DirectoryChanges.Outcome>> outcomes = new AtomicReference<>();
    return mutable.modify(cap.file(), current -> {
      DirectoryTree tree = DirectoryTree.open(current, store, policy);
      outcomes.set(changes.applyTo(tree, Optional.of(key), random)); // the last try's count
      TreeCommit commit = tree.commit();
      store.awaitWrites(); // the root may name only pages that are on the grid
      if (!commit.changed()) {
        return null;
      }
      costs.rootPublished(commit.root().length);
      return commit.root();
    }).thenApply(v -> outcomes.get());
  }

  private DirectoryChanges toChanges(List<DirectoryEdit> edits, ChildWriteCapKey key) {
    DirectoryChanges changes = new DirectoryChanges();
    for (DirectoryEdit edit : edits) {
      if (edit instanceof DirectoryEdit.Put p) {
        changes.put(entry(p.name(), p.cap(), p.metadata(), key));
      } else if (edit instanceof DirectoryEdit.Create c) {
        changes.create(entry(c.name(), c.cap(), c.metadata(), key));
      } else {
        changes.remove(((DirectoryEdit.Remove) edit).name());
      }
    }
    return changes;
  }

  private DirectoryEntry entry(EntryName name, Optional<String> cap, EntryMetadata metadata,
      ChildWriteCapKey key) {
    return cap.isEmpty() ? DirectoryEntry.symlink(name, metadata)
        : DirectoryEntry.forChild(name, Cap.parse(cap.get()), Optional.of(key), metadata, random);
  }

  private static ListedEntry listed(DirectoryEntry e, Optional<ChildWriteCapKey> key) {
    Optional<String> cap = key.isPresent() && e.writeCap().isPresent()
        ? Optional.of(key.get().open(e.name(), e.writeCap().get()))
        : e.parsedReadCap().map(Cap::toString);
    return new ListedEntry(e.name(), cap, e.metadata());
  }

  private static Optional<ChildWriteCapKey> unsealer(DirectoryCap cap) {
    return cap instanceof DirectoryWriteCap w ? Optional.of(ChildWriteCapKey.of(w))
        : Optional.empty();
  }

  @FunctionalInterface
  private interface TreeWork<T> {
    T run(DirectoryTree tree) throws IOException;
  }

  /** Reads the root of {@code cap}, opens its tree (read-only store) and runs {@code work}. */
  private <T> CompletableFuture<T> withTree(DirectoryCap cap, TreeWork<T> work) {
    CompletableFuture<byte[]> root;
    try {
      root = readRoot(cap);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    GridPageStore store = new GridPageStore(grid, Optional.empty(), pages, costs);
    return root.thenApplyAsync(bytes -> {
      try {
        return work.run(DirectoryTree.open(bytes, store, policy));
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, grid.workers());
  }

  private CompletableFuture<byte[]> readRoot(DirectoryCap cap) {
    if (cap instanceof DirectoryWriteCap w) {
      return mutable.read(w.file().readOnly()).thenApply(MutableVersion::contents);
    } else if (cap instanceof DirectoryReadCap r) {
      return mutable.read(r.file()).thenApply(MutableVersion::contents);
    } else if (cap instanceof LiteralDirectoryCap l) {
      return CompletableFuture.completedFuture(l.file().data());
    } else if (cap instanceof ImmutableDirectoryReadCap i) {
      return CompletableFuture.supplyAsync(() -> {
        try (ImmutableFile f = grid.open(i.file())) {
          return Await.get(f.read(0, Math.toIntExact(i.file().size())), timeout,
              "reading an immutable directory");
        } catch (IOException e) {
          throw new CompletionException(e);
        }
      }, grid.workers());
    }
    throw new IllegalArgumentException("a " + cap.getClass().getSimpleName()
        + " cannot read a directory's entries (a verify cap checks shares only)");
  }
}
