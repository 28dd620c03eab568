package org.cairnfs.fs.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.GridBackend;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * The grid as a filesystem of caps, for every frontend: the mount (through {@link GridBackend}),
 * the file verbs of the CLI and the HTTP gateway. One implementation underneath all three, so a
 * file put by the CLI, written through the mount or PUT over HTTP is the same file.
 *
 * <p>Adds to {@link GridBackend} what frontends that stream need: an upload from a stream of
 * unknown length, a streaming read of a byte range, the size of a file from its cap, and the
 * lookup of one name in a directory without listing it (O(log n) in a paged directory). Errors
 * are {@link org.cairnfs.fs.mount.GridException}s, as in {@link GridBackend}.
 */
public interface GridFileSystem extends GridBackend {

  /**
   * Stores the bytes of {@code in} (read to its end, never held whole in memory) as a new file
   * that no directory links yet, and returns its read cap. The stream is read on the caller's
   * thread; the returned future completes when the file is on the grid at happiness.
   */
  default CompletableFuture<String> upload(InputStream in) throws IOException {
    Path spool = Files.createTempFile("cairn-upload", ".spool");
    try {
      long size = Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
      FileChannel ch = FileChannel.open(spool, StandardOpenOption.READ,
          StandardOpenOption.DELETE_ON_CLOSE);
      List<FileWrite.Range> all = size == 0 ? List.of() : List.of(new FileWrite.Range(0, size));
      FileWrite w = new FileWrite(Optional.empty(), 0, size, all, (offset, dst) -> {
        long at = offset;
        while (dst.hasRemaining()) {
          int n = ch.read(dst, at);
          if (n < 0) {
            throw new EOFException("spool ended at " + at);
          }
          at += n;
        }
      });
      return writeFile(w).whenComplete((cap, e) -> {
        try {
          ch.close();
        } catch (IOException ignored) {
          // the spool is deleted on close; nothing else to do
        }
      });
    } finally {
      Files.deleteIfExists(spool);
    }
  }

  /**
   * The length of the file a cap names, from the cap alone (file caps carry their size).
   *
   * @throws IllegalArgumentException if the cap is not a file cap
   */
  default long sizeOf(String fileCap) {
    Cap cap = Cap.parse(fileCap);
    if (cap instanceof LiteralCap l) {
      return l.size();
    } else if (cap instanceof ImmutableReadCap i) {
      return i.size();
    } else if (cap instanceof ChunkedReadCap c) {
      return c.size();
    }
    throw new IllegalArgumentException("not a file read cap: " + cap.getClass().getSimpleName());
  }

  /**
   * At most {@code max} entries of a directory named after {@code after} (from the first when
   * null), in name order (the names' UTF-8 bytes, unsigned), without their user xattrs: a
   * listing in pages, so that a very large directory need not be held whole (a paged directory
   * reads one page per level). The default lists the directory whole and cuts the page from it
   * (an implementation that can hold a large directory must override it).
   */
  default CompletableFuture<List<RemoteEntry>> listPage(String directoryCap, String after,
      int max) {
    if (max < 1) {
      throw new IllegalArgumentException("a listing page holds at least 1 entry, got " + max);
    }
    Comparator<String> byUtf8 = (a, b) -> Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    return list(directoryCap).thenApply(entries -> entries.stream()
        .filter(e -> after == null || byUtf8.compare(e.name(), after) > 0)
        .sorted(Comparator.comparing(RemoteEntry::name, byUtf8))
        .limit(max).map(e -> e.metadata().xattrs().isEmpty() ? e
            : new RemoteEntry(e.name(), e.cap(), e.metadata().withoutXattrs()))
        .collect(Collectors.toList()));
  }

  /** The entry {@code name} of a directory, or empty; does not list the whole directory. */
  default CompletableFuture<Optional<RemoteEntry>> lookup(String directoryCap, String name) {
    return list(directoryCap).thenApply(entries -> entries.stream()
        .filter(e -> e.name().equals(name)).findFirst());
  }

  /**
   * The newest recoverable version of a mutable file, by its read or write cap. Mutable files
   * are small (held whole in memory, up to {@link #maxMutableSize()}).
   *
   * <p>The default: this grid keeps no mutable files ({@link UnsupportedOperationException}).
   */
  default CompletableFuture<MutableContents> readMutable(String mutableCap) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(
        "this grid keeps no mutable files"));
  }

  /** Replaces a mutable file's contents (its write cap); the version published. */
  default CompletableFuture<MutableContents> overwriteMutable(String writeCap, byte[] contents) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(
        "this grid keeps no mutable files"));
  }

  /** A new mutable file holding {@code contents}; its write cap. */
  default CompletableFuture<String> createMutable(byte[] contents) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(
        "this grid keeps no mutable files"));
  }

  /** The largest mutable file this grid reads or writes; 0 when it keeps none. */
  default long maxMutableSize() {
    return 0;
  }
}
