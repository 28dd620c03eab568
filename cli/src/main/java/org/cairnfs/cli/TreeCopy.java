package org.cairnfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.UnknownCapAuthorityException;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * {@code cp -r}: copies a tree between this machine and the grid, or within the grid.
 *
 * <p>Why this shape: a directory change is a publish of the directory (a mutable file write to
 * every server), so a copy applies each directory's entries as ONE batch once all its children
 * are stored, never one publish per file. File transfers run {@link #IN_FLIGHT} at a time while
 * the walk goes on, and a new tree becomes visible only when its top directory is linked, after
 * everything below it is stored: a failed copy leaves no half-filled directory in sight.
 */
final class TreeCopy implements AutoCloseable {
  /** Files transferred at once. */
  static final int IN_FLIGHT = 32;

  private final GridFileSystem files;
  private final Progress progress;
  private final PrintWriter warnings;
  private final Semaphore slots = new Semaphore(IN_FLIGHT);
  private final ExecutorService blocking = Executors.newFixedThreadPool(8, r -> {
    Thread t = new Thread(r, "cairn-cp");
    t.setDaemon(true);
    return t;
  });
  private volatile CliException failed;
  private final AtomicInteger notCopied = new AtomicInteger();
  /** A child merged into an existing directory: its cap did not change, nothing to publish. */
  private static final EntryChange KEEP = new EntryChange.Remove("\0keep");

  TreeCopy(GridFileSystem files, Progress progress, PrintWriter warnings) {
    this.files = files;
    this.progress = progress;
    this.warnings = warnings;
  }

  // ---- local to grid

  /**
   * Uploads the local tree {@code dir}; its entries go into {@code into} (an existing
   * directory, entries of the same name replaced) or a new directory. The future gives that
   * directory's cap once all is stored.
   */
  String upload(Path dir, Optional<String> into) {
    return finish(uploadDir(dir, into));
  }

  private CompletableFuture<String> uploadDir(Path dir, Optional<String> into) {
    CompletableFuture<String> cap = into.map(CompletableFuture::completedFuture)
        .orElseGet(() -> bounded(files::createDirectory, "create a directory for " + dir));
    Map<String, RemoteEntry> existing = existing(into, dir.toString());
    List<CompletableFuture<EntryChange>> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path child : ds) {
        if (failed != null) {
          break;
        }
        CompletableFuture<EntryChange> c = uploadEntry(child, existing);
        if (c != null) {
          children.add(c);
        }
      }
    } catch (IOException e) {
      throw fail(GridCalls.failure(e, "read local directory " + dir));
    }
    return publish(cap, children, dir.toString());
  }

  private CompletableFuture<EntryChange> uploadEntry(Path child,
      Map<String, RemoteEntry> existing) throws IOException {
    String name = child.getFileName().toString();
    if (name.indexOf('\uFFFD') >= 0) {
      // what the JDK makes of bytes that are not UTF-8: two such names would become one
      warnings.println("cairn: not copying " + child + ": its name is not valid UTF-8 (grid"
          + " names are UTF-8, and this one cannot be told from others)");
      notCopied.incrementAndGet();
      return null;
    }
    BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS);
    Optional<String> mergeInto = mergeTarget(existing.get(name), a.isDirectory(),
        child.toString());
    if (mergeInto.isPresent()) {
      return uploadDir(child, mergeInto).thenApply(c -> KEEP);
    }
    if (a.isSymbolicLink()) {
      String target = Files.readSymbolicLink(child).toString();
      return CompletableFuture.completedFuture(new EntryChange.Put(name, Optional.empty(),
          NodeMetadata.symlink(target, 0777, a.lastModifiedTime().toInstant(), Instant.now())));
    }
    if (a.isDirectory()) {
      NodeMetadata md = metadata(child, EntryKind.DIRECTORY, 0, a);
      return uploadDir(child, Optional.empty()).thenApply(c ->
          new EntryChange.Put(name, Optional.of(c), md));
    }
    if (!a.isRegularFile()) {
      warnings.println("cairn: skipping " + child + ": not a regular file, directory or symlink");
      return null;
    }
    NodeMetadata md = metadata(child, EntryKind.FILE, a.size(), a);
    return bounded(() -> {
      try {
        return Transfers.upload(files, child, a.size(), progress::bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "upload " + child).thenApply(c -> {
      progress.item();
      return new EntryChange.Put(name, Optional.of(c), md);
    });
  }

  private static NodeMetadata metadata(Path p, EntryKind kind, long size, BasicFileAttributes a)
      throws IOException {
    int mode = kind == EntryKind.DIRECTORY ? 0755 : 0644;
    try {
      mode = Transfers.modeOf(Files.readAttributes(p, PosixFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS).permissions());
    } catch (UnsupportedOperationException ignored) {
      // not POSIX: the default mode
    }
    return NodeMetadata.of(kind, size, mode, a.lastModifiedTime().toInstant(), Instant.now());
  }

  // ---- grid to grid

  /** Copies the grid directory {@code source} into {@code into} or a new directory. */
  String copy(String source, String label, Optional<String> into) {
    return finish(copyDir(source, label, into, Ancestors.of(source, label)));
  }

  private CompletableFuture<String> copyDir(String source, String label,
      Optional<String> into, Ancestors above) {
    CompletableFuture<String> cap = into.map(CompletableFuture::completedFuture)
        .orElseGet(() -> bounded(files::createDirectory, "create a directory for " + label));
    Map<String, RemoteEntry> existing = existing(into, label);
    List<CompletableFuture<EntryChange>> children = new ArrayList<>();
    for (RemoteEntry e : GridCalls.await(files.list(source), "list " + label)) {
      if (failed != null) {
        break;
      }
      NodeMetadata md = e.metadata();
      String childLabel = label + "/" + e.name();
      Optional<String> mergeInto = mergeTarget(existing.get(e.name()),
          md.kind() == EntryKind.DIRECTORY && e.cap().isPresent(), childLabel);
      Optional<Ancestors> below = md.kind() == EntryKind.DIRECTORY && e.cap().isPresent()
          ? descend(above, e.cap().get(), childLabel) : Optional.of(above);
      if (below.isEmpty()) {
        continue;
      }
      if (mergeInto.isPresent()) {
        children.add(copyDir(e.cap().get(), childLabel, mergeInto, below.get())
            .thenApply(c -> KEEP));
      } else if (e.cap().isEmpty()) {
        children.add(CompletableFuture.completedFuture(new EntryChange.Put(e.name(),
            Optional.empty(), md)));
      } else if (md.kind() == EntryKind.DIRECTORY) {
        children.add(copyDir(e.cap().get(), childLabel, Optional.empty(), below.get())
            .thenApply(c -> new EntryChange.Put(e.name(), Optional.of(c), md)));
      } else {
        children.add(copyFile(e.cap().get(), md, childLabel)
            .thenApply(c -> new EntryChange.Put(e.name(), Optional.of(c), md)));
      }
    }
    return publish(cap, children, label);
  }

  /**
   * A file's cap for a copy: an immutable file is shared as it is (its bytes cannot change); a
   * mutable one is read and stored anew, so the copy does not follow later writes.
   */
  CompletableFuture<String> copyFile(String cap, NodeMetadata md, String label) {
    if (!Cap.parse(cap).isWritable()) {
      progress.item();
      return CompletableFuture.completedFuture(cap);
    }
    return bounded(() -> CompletableFuture.supplyAsync(() -> {
      try {
        return files.upload(files.open(cap, 0, md.size()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, blocking).thenCompose(f -> f), "copy " + label);
  }

  // ---- grid to local

  /** Copies the grid directory {@code source} into the local directory {@code target}. */
  void download(String source, String label, Path target) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    downloadDir(source, label, target, all, Ancestors.of(source, label));
    finish(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));
  }

  private void downloadDir(String source, String label, Path target,
      List<CompletableFuture<Void>> all, Ancestors above) {
    try {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target,
          LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      Files.createDirectories(target);
    } catch (IOException e) {
      throw fail(GridCalls.failure(e, "copy " + label + " to " + target));
    }
    for (RemoteEntry e : GridCalls.await(files.list(source), "list " + label)) {
      if (failed != null) {
        return;
      }
      String name = e.name();
      if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
          || name.indexOf('\0') >= 0) {
        throw fail(new CliException(ExitCode.FAILURE, "refusing entry name '" + name + "' in "
            + label + ": not a safe local file name"));
      }
      Path local = target.resolve(name);
      NodeMetadata md = e.metadata();
      String childLabel = label + "/" + name;
      if (md.kind() == EntryKind.SYMLINK) {
        try {
          Files.deleteIfExists(local);
          Files.createSymbolicLink(local, Path.of(md.symlinkTarget().orElseThrow()));
        } catch (IOException x) {
          throw fail(GridCalls.failure(x, "create symlink " + local));
        }
      } else if (md.kind() == EntryKind.DIRECTORY) {
        String cap = e.cap().orElseThrow();
        descend(above, cap, childLabel).ifPresent(
            below -> downloadDir(cap, childLabel, local, all, below));
      } else if (md.kind().isSpecial()) {
        warnings.println("cairn: skipping " + childLabel + ": a " + md.kind().label()
            + " has no data to copy");
      } else {
        String cap = e.cap().orElseThrow();
        all.add(bounded(() -> CompletableFuture.runAsync(() -> {
          try {
            long size = Transfers.sizeOf(files, cap, Optional.of(md));
            Transfers.downloadTo(files, cap, size, local, progress::bytes);
            Files.setLastModifiedTime(local, FileTime.from(md.mtime()));
            progress.item();
          } catch (IOException x) {
            throw new UncheckedIOException(x);
          }
        }, blocking), "get " + childLabel + " into " + local));
      }
    }
  }

  // ---- shared

  /**
   * The directories above an entry, by identity (a directory's read and write caps name one
   * directory): anyone who may write a directory can link it into itself, and a copy that went
   * down such a cycle would never end.
   */
  private record Ancestors(String id, String label, Ancestors parent) {
    static Ancestors of(String cap, String label) {
      return new Ancestors(identity(cap), label, null);
    }

    static String identity(String cap) {
      try {
        return Cap.parse(cap).readOnly().toString();
      } catch (IllegalArgumentException | UnknownCapAuthorityException e) {
        return cap; // not a cap this build reads: listing it fails later with the reason
      }
    }

    Optional<String> labelOf(String id) {
      for (Ancestors a = this; a != null; a = a.parent) {
        if (a.id.equals(id)) {
          return Optional.of(a.label);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The ancestors below the directory {@code cap} at {@code label}, or empty when it is one of
   * {@code above} again: then it is not copied (a warning says so, and the command fails at the
   * end, having copied the rest).
   */
  private Optional<Ancestors> descend(Ancestors above, String cap, String label) {
    String id = Ancestors.identity(cap);
    Optional<String> again = above.labelOf(id);
    if (again.isPresent()) {
      warnings.println("cairn: not copying " + label + ": it is " + again.get()
          + " again (a directory linked into itself)");
      notCopied.incrementAndGet();
      return Optional.empty();
    }
    return Optional.of(new Ancestors(id, label, above));
  }

  /**
   * How many entries were left out, each named by a warning: directories linked into themselves,
   * local names that are not UTF-8.
   */
  int notCopied() {
    return notCopied.get();
  }

  /** The entries of the directory a copy merges into, by name; none for a new directory. */
  private Map<String, RemoteEntry> existing(Optional<String> into, String label) {
    Map<String, RemoteEntry> out = new HashMap<>();
    into.ifPresent(cap -> GridCalls.await(files.list(cap), "list the target of " + label)
        .forEach(e -> out.put(e.name(), e)));
    return out;
  }

  /**
   * Where a copied entry meets an existing one of its name, as cp(1) does: a directory onto a
   * directory merges into it (its cap, which must be writable); a directory onto anything else
   * or anything else onto a directory is refused; other entries are replaced (empty).
   */
  private Optional<String> mergeTarget(RemoteEntry there, boolean sourceIsDir, String label) {
    if (there == null) {
      return Optional.empty();
    }
    boolean thereIsDir = there.metadata().kind() == EntryKind.DIRECTORY && there.cap().isPresent();
    if (sourceIsDir && thereIsDir) {
      String cap = there.cap().get();
      if (!Cap.parse(cap).isWritable()) {
        throw fail(new CliException(ExitCode.USAGE, "cannot copy " + label + " into the"
            + " existing directory '" + there.name() + "': it is linked read-only (only its read"
            + " cap is held); remove or rename it first"));
      }
      return Optional.of(cap);
    }
    if (sourceIsDir) {
      throw fail(new CliException(ExitCode.USAGE, "cannot copy directory " + label + " onto"
          + " the existing non-directory '" + there.name() + "'; remove or rename it first"));
    }
    if (thereIsDir) {
      throw fail(new CliException(ExitCode.USAGE, "cannot copy " + label + " onto the existing"
          + " directory '" + there.name() + "'; remove it first ('cairn rm -r')"));
    }
    return Optional.empty();
  }

  private CompletableFuture<String> publish(CompletableFuture<String> cap,
      List<CompletableFuture<EntryChange>> children, String label) {
    List<CompletableFuture<?>> all = new ArrayList<>(children);
    all.add(cap);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      List<EntryChange> batch = children.stream().map(CompletableFuture::join)
          .filter(c -> c != KEEP).toList();
      if (batch.isEmpty()) {
        return CompletableFuture.completedFuture(cap.join());
      }
      return files.applyChanges(cap.join(), batch)
          .exceptionally(e -> {
            throw new CompletionException(fail(GridCalls.failure(e, "fill the copy of "
                + label)));
          })
          .thenApply(x -> cap.join());
    });
  }

  /**
   * Starts {@code work} once one of the {@link #IN_FLIGHT} slots is free (waiting on this, the
   * walking thread); its failure is named by {@code what} and stops further transfers.
   */
  private <T> CompletableFuture<T> bounded(Supplier<CompletableFuture<T>> work, String what) {
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(new CliException(ExitCode.FAILURE, "interrupted"));
    }
    CompletableFuture<T> f;
    try {
      f = failed != null ? CompletableFuture.failedFuture(failed) : work.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle((v, e) -> {
      slots.release();
      if (e != null) {
        throw new CompletionException(fail(GridCalls.failure(unwrapUnchecked(e), what)));
      }
      return v;
    });
  }

  private static Throwable unwrapUnchecked(Throwable e) {
    Throwable c = GridCalls.unwrap(e);
    return c instanceof UncheckedIOException u ? u.getCause() : c;
  }

  /** Records the first failure (the one reported) and returns it. */
  private synchronized CliException fail(CliException e) {
    if (failed == null) {
      failed = e;
    }
    return failed;
  }

  private <T> T finish(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw failed != null ? failed : GridCalls.failure(e, "copy");
    }
  }

  /**
   * Stops the transfers still running (a copy that failed) and waits for them, so that each
   * removes its partial file before the command exits.
   */
  @Override
  public void close() {
    blocking.shutdownNow();
    try {
      if (!blocking.awaitTermination(30, TimeUnit.SECONDS)) {
        warnings.println("cairn: transfers still running after 30 s; partial files"
            + " (.NAME.*.cairn-part) may be left");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
