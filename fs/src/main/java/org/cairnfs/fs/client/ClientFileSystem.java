package org.cairnfs.fs.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryCap;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.fs.dirs.DirectoryChanges;
import org.cairnfs.fs.dirs.DirectoryEdit;
import org.cairnfs.fs.dirs.GridDirectories;
import org.cairnfs.fs.files.ChunkedFiles;
import org.cairnfs.fs.files.FilesConfig;
import org.cairnfs.fs.dirs.ListedEntry;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ServerStatus;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.GridSpace;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.mutable.MutableVersion;

/**
 * The grid as a {@link GridFileSystem}: directories from {@link GridDirectories}, files from a
 * {@link FileStore}, every failure mapped once to a {@link org.cairnfs.fs.mount.GridException}
 * kind ({@link GridErrors}). The mount, the CLI verbs and the gateway all come through here.
 *
 * <p>Directory entries keep application extended attributes and special files (FIFOs, sockets,
 * devices) since dirnode format version 3, so {@link #keepsUserXattrs()} is true. A caller's bad
 * input (a name or cap a directory cannot hold, a cap of the wrong kind) fails with a plain
 * {@link IllegalArgumentException}, not a grid exception, since retrying cannot help.
 */
public final class ClientFileSystem implements GridFileSystem {
  private final GridClient grid;
  private final GridDirectories directories;
  private final FileStore files;
  private final MutableFiles mutable;

  private ClientFileSystem(GridClient grid, GridDirectories directories, FileStore files) {
    this.grid = Objects.requireNonNull(grid, "grid");
    this.directories = Objects.requireNonNull(directories, "directories");
    this.files = Objects.requireNonNull(files, "files");
    this.mutable = MutableFiles.on(grid);
  }

  /** Directories with default paging, files chunked with the default chunk size. */
  public static ClientFileSystem create(GridClient grid) {
    return new ClientFileSystem(grid, GridDirectories.create(grid),
        new ChunkedFileStore(ChunkedFiles.create(grid, FilesConfig.defaults())));
  }

  /** With the caller's directories and file store (e.g. chunked files). */
  public static ClientFileSystem create(GridClient grid, GridDirectories directories,
      FileStore files) {
    return new ClientFileSystem(grid, directories, files);
  }

  public GridDirectories directories() {
    return directories;
  }

  // ---- directories

  @Override
  public CompletableFuture<List<RemoteEntry>> list(String directoryCap) {
    return call(() -> directories.list(directory(directoryCap))
        .thenApply(ClientFileSystem::remote));
  }

  @Override
  public CompletableFuture<List<RemoteEntry>> listPage(String directoryCap, String after,
      int max) {
    return call(() -> directories.listPage(directory(directoryCap),
        after == null ? Optional.empty() : Optional.of(entryName(after)), max)
        .thenApply(ClientFileSystem::remote));
  }

  private static List<RemoteEntry> remote(List<ListedEntry> entries) {
    List<RemoteEntry> out = new ArrayList<>(entries.size());
    for (ListedEntry e : entries) {
      out.add(remote(e));
    }
    return out;
  }

  @Override
  public CompletableFuture<Optional<RemoteEntry>> lookup(String directoryCap, String name) {
    return call(() -> directories.lookup(directory(directoryCap), entryName(name))
        .thenApply(e -> e.map(ClientFileSystem::remote)));
  }

  @Override
  public CompletableFuture<String> createDirectory() {
    return call(() -> directories.create().thenApply(DirectoryWriteCap::toString));
  }

  @Override
  public CompletableFuture<List<EntryChange.Outcome>> applyChanges(String directoryCap,
      List<EntryChange> changes) {
    return call(() -> {
      DirectoryCap cap = directory(directoryCap);
      if (!(cap instanceof DirectoryWriteCap w)) {
        throw new IllegalArgumentException("changing a directory needs its write cap, got a "
            + cap.getClass().getSimpleName());
      }
      List<DirectoryEdit> edits = new ArrayList<>(changes.size());
      for (EntryChange c : changes) {
        edits.add(edit(c));
      }
      return directories.apply(w, edits).thenApply(ClientFileSystem::outcomes);
    });
  }

  // ---- files

  @Override
  public CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
    return call(() -> files.read(fileCap, offset, length));
  }

  @Override
  public CompletableFuture<String> writeFile(FileWrite write) {
    return call(() -> files.write(write));
  }

  @Override
  public CompletableFuture<String> upload(InputStream in) throws IOException {
    return GridErrors.mapped(files.upload(in));
  }

  @Override
  public InputStream open(String fileCap, long offset, long length) {
    InputStream in = files.open(fileCap, offset, length);
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (IOException e) {
          throw mappedIo(e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (IOException e) {
          throw mappedIo(e);
        }
      }
    };
  }

  private static IOException mappedIo(IOException e) {
    return new IOException(e.getMessage(), GridErrors.map(e));
  }

  // ---- mutable files

  @Override
  public CompletableFuture<MutableContents> readMutable(String mutableCap) {
    return call(() -> mutable.read(mutableRead(mutableCap)).thenApply(ClientFileSystem::contents));
  }

  @Override
  public CompletableFuture<MutableContents> overwriteMutable(String writeCap, byte[] contents) {
    return call(() -> {
      if (!(Cap.parse(writeCap) instanceof MutableWriteCap w)) {
        throw new IllegalArgumentException("overwriting a mutable file needs its write cap");
      }
      return mutable.overwrite(w, contents).thenApply(ClientFileSystem::contents);
    });
  }

  @Override
  public CompletableFuture<String> createMutable(byte[] contents) {
    return call(() -> mutable.create(contents).thenApply(MutableWriteCap::toString));
  }

  @Override
  public long maxMutableSize() {
    return mutable.options().maxSize();
  }

  private static MutableReadCap mutableRead(String cap) {
    Cap parsed = Cap.parse(cap);
    if (parsed instanceof MutableWriteCap w) {
      return w.readOnly();
    } else if (parsed instanceof MutableReadCap r) {
      return r;
    }
    throw new IllegalArgumentException("not a mutable file cap: a "
        + parsed.getClass().getSimpleName());
  }

  private static MutableContents contents(MutableVersion v) {
    byte[] root = v.version().rootHash();
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(8, root.length); i++) {
      hex.append(String.format("%02x", root[i] & 0xff));
    }
    return new MutableContents(v.contents(), v.seqnum(), v.seqnum() + "-" + hex);
  }

  // ---- the grid

  /**
   * Free space the connected servers announce, summed over servers and divided by n/k. The
   * servers announce no capacity, so total is reported equal to free.
   */
  @Override
  public CompletableFuture<GridSpace> space() {
    long free = 0;
    for (ServerStatus s : grid.servers().status()) {
      if (s.freeSpace() > 0) {
        free += s.freeSpace();
      }
    }
    var params = grid.config().params();
    long data = (long) (free / ((double) params.n() / params.k()));
    return CompletableFuture.completedFuture(new GridSpace(data, data));
  }

  @Override
  public boolean keepsUserXattrs() {
    return true;
  }

  @Override
  public void retryUnreachable() {
    grid.servers().retryUnreachable(grid.config().params().happy());
  }

  // ---- conversions

  private static DirectoryCap directory(String cap) {
    Cap parsed = Cap.parse(cap);
    if (parsed instanceof DirectoryCap d) {
      return d;
    }
    throw new IllegalArgumentException("not a directory cap: a "
        + parsed.getClass().getSimpleName());
  }

  /** The name, or a plain IllegalArgumentException (a format exception would map to INTEGRITY). */
  private static EntryName entryName(String name) {
    try {
      return EntryName.of(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static List<EntryChange.Outcome> outcomes(List<DirectoryChanges.Outcome> applied) {
    List<EntryChange.Outcome> out = new ArrayList<>(applied.size());
    for (DirectoryChanges.Outcome o : applied) {
      out.add(o == DirectoryChanges.Outcome.APPLIED ? EntryChange.Outcome.APPLIED
          : EntryChange.Outcome.EXISTS); // (MISSING comes only from renames, never sent)
    }
    return out;
  }

  private static DirectoryEdit edit(EntryChange change) {
    EntryName name = entryName(change.name());
    if (change instanceof EntryChange.Remove) {
      return new DirectoryEdit.Remove(name);
    } else if (change instanceof EntryChange.Create c) {
      return new DirectoryEdit.Create(name, c.cap(), entryMetadata(name, c.metadata()));
    }
    EntryChange.Put p = (EntryChange.Put) change;
    return new DirectoryEdit.Put(name, p.cap(), entryMetadata(name, p.metadata()));
  }

  private static EntryMetadata entryMetadata(EntryName name, NodeMetadata m) {
    try {
      return new EntryMetadata(m.kind(), m.size(), m.mode(), m.mtime(), m.ctime(),
          m.symlinkTarget(), m.rdev(), m.xattrs());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("entry \"" + name + "\": " + e.getMessage(), e);
    }
  }

  private static RemoteEntry remote(ListedEntry e) {
    EntryMetadata m = e.metadata();
    return new RemoteEntry(e.name().text(), e.cap(), new NodeMetadata(m.kind(), m.size(),
        m.mode(), m.mtime(), m.ctime(), m.symlinkTarget(), m.xattrs(), m.rdev()));
  }

  /** Runs {@code work}, mapping a synchronous throw and the future's failure alike. */
  private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> work) {
    try {
      return GridErrors.mapped(work.get());
    } catch (RuntimeException e) {
      return GridErrors.failed(e);
    }
  }
}
