package org.cairnfs.cli;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.NodeMetadata;

/**
 * Moves file bytes between local files or streams and the grid, in bounded memory: a local file
 * is read in place as the upload asks for ranges (no spool copy), a download streams into a
 * temporary file beside the target that replaces it only once complete. With a running node both
 * happen in the node: it reads the local file, or writes the temporary file, itself.
 */
final class Transfers {
  private Transfers() {}

  /**
   * Uploads a local regular file; the future gives its cap. The file is opened for as long as the
   * upload runs. {@code progress} hears each range read.
   */
  static CompletableFuture<String> upload(GridFileSystem files, Path local, long size,
      LongConsumer progress) throws IOException {
    if (files instanceof NodeChannel node) {
      return node.uploadInPlace(local, size).thenApply(cap -> {
        progress.accept(size);
        return cap;
      });
    }
    if (size == 0) {
      return files.writeFile(new FileWrite(Optional.empty(), 0, 0, List.of(), (o, d) -> {
        throw new EOFException(local + " is empty");
      }));
    }
    FileChannel ch = FileChannel.open(local, StandardOpenOption.READ);
    try {
      FileWrite w = new FileWrite(Optional.empty(), 0, size, List.of(new FileWrite.Range(0, size)),
          (offset, dst) -> {
            long at = offset;
            while (dst.hasRemaining()) {
              int n = ch.read(dst, at);
              if (n < 0) {
                throw new EOFException(local + " shrank while it was uploaded (ends at " + at
                    + ", was " + size + " bytes)");
              }
              at += n;
              progress.accept(n);
            }
          });
      return files.writeFile(w).whenComplete((cap, e) -> closeQuietly(ch));
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  /** Uploads a stream of unknown length (stdin), read on this thread. */
  static CompletableFuture<String> upload(GridFileSystem files, InputStream in,
      LongConsumer progress) throws IOException {
    return files.upload(new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          progress.accept(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          progress.accept(n);
        }
        return n;
      }
    });
  }

  /** Copies the whole file {@code cap} of {@code size} bytes into {@code out}. */
  static void download(GridFileSystem files, String cap, long size, OutputStream out,
      LongConsumer progress) throws IOException {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = files.open(cap, 0, size)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        progress.accept(n);
      }
    }
  }

  /**
   * Downloads into {@code target} through a temporary file in the same directory, so the target
   * is either untouched or complete; a device or FIFO is written into directly.
   */
  static void downloadTo(GridFileSystem files, String cap, long size, Path target,
      LongConsumer progress) throws IOException {
    if (Files.exists(target) && !Files.isRegularFile(target) && !Files.isDirectory(target)) {
      // a device or a FIFO (/dev/null, a pipe): written into, never renamed over (a rename
      // replaced /dev/null with a regular file of the download)
      try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
        download(files, cap, size, out, progress);
      }
      return;
    }
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".cairn-part");
    try {
      if (files instanceof NodeChannel node) {
        awaitNode(node.downloadInPlace(cap, size, tmp));
        progress.accept(size);
      } else {
        try (OutputStream out = Files.newOutputStream(tmp,
            StandardOpenOption.TRUNCATE_EXISTING)) {
          download(files, cap, size, out, progress);
        }
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Waits for a node call; its failure as the IOException an in-process download throws. */
  private static void awaitNode(CompletableFuture<Void> call) throws IOException {
    try {
      call.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (ExecutionException e) {
      Throwable c = GridCalls.unwrap(e);
      throw c instanceof IOException io ? io : new IOException(Cli.messageOf(c), c);
    }
  }

  /** The size of a file from its cap, else from the entry's metadata. */
  static long sizeOf(GridFileSystem files, String cap, Optional<NodeMetadata> metadata) {
    try {
      return files.sizeOf(cap);
    } catch (IllegalArgumentException e) {
      return metadata.map(NodeMetadata::size).orElseThrow(() -> new CliException(
          ExitCode.USAGE, "not a file cap: " + Aliases.redact(cap)));
    }
  }

  /** Entry metadata for a local file: its permission bits and modification time. */
  static NodeMetadata fileMetadata(Path local, long size) throws IOException {
    int mode = 0644;
    try {
      mode = modeOf(Files.getPosixFilePermissions(local));
    } catch (UnsupportedOperationException ignored) {
      // not POSIX: the default
    }
    Instant mtime = Files.getLastModifiedTime(local).toInstant();
    return NodeMetadata.of(EntryKind.FILE, size, mode, mtime, Instant.now());
  }

  static NodeMetadata newFile(long size) {
    Instant now = Instant.now();
    return NodeMetadata.of(EntryKind.FILE, size, 0644, now, now);
  }

  static NodeMetadata newDirectory() {
    Instant now = Instant.now();
    return NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, now, now);
  }

  static int modeOf(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= switch (p) {
        case OWNER_READ -> 0400;
        case OWNER_WRITE -> 0200;
        case OWNER_EXECUTE -> 0100;
        case GROUP_READ -> 040;
        case GROUP_WRITE -> 020;
        case GROUP_EXECUTE -> 010;
        case OTHERS_READ -> 04;
        case OTHERS_WRITE -> 02;
        case OTHERS_EXECUTE -> 01;
      };
    }
    return mode;
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // read-only channel: nothing was lost
    }
  }
}
