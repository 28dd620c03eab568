package org.cairnfs.bench.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the disk under the storage dir does without Cairn: {@code dd} and a plain Java
 * {@link FileChannel}, each writing the same number of MiB in 1 MiB blocks with one sync at the
 * end, then reading the file back (from the page cache, as the storage server's reads right after
 * an upload are too).
 */
final class DiskBaseline {
  private DiskBaseline() {}

  record Result(Rate write, Rate read) {}

  /** {@code dd bs=1M conv=fdatasync} from /dev/zero, then dd to /dev/null; null if dd fails. */
  static Result dd(Path dir, long mib) throws IOException, InterruptedException {
    Path file = dir.resolve("ddfile");
    try {
      long t0 = System.nanoTime();
      if (!run(List.of("dd", "if=/dev/zero", "of=" + file, "bs=1M", "count=" + mib,
          "conv=fdatasync", "status=none"))) {
        return null;
      }
      long t1 = System.nanoTime();
      if (!run(List.of("dd", "if=" + file, "of=/dev/null", "bs=1M", "status=none"))) {
        return null;
      }
      long t2 = System.nanoTime();
      long bytes = mib << 20;
      return new Result(new Rate(bytes, t1 - t0, null), new Rate(bytes, t2 - t1, null));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** FileChannel writes of {@code block} (1 MiB) then force(true); then reads it back. */
  static Result fileChannel(Path dir, long mib, byte[] block) throws IOException {
    Path file = dir.resolve("fcfile");
    try {
      long bytes = mib << 20;
      long t0 = System.nanoTime();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(block);
        for (long i = 0; i < mib; i++) {
          buf.clear();
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        }
        ch.force(true);
      }
      long t1 = System.nanoTime();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate(block.length);
        long total = 0;
        int n;
        while ((n = ch.read(buf.clear())) >= 0) {
          total += n;
        }
        if (total != bytes) {
          throw new IOException("read back " + total + " of " + bytes + " bytes from " + file);
        }
      }
      long t2 = System.nanoTime();
      return new Result(new Rate(bytes, t1 - t0, null), new Rate(bytes, t2 - t1, null));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static boolean run(List<String> command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException notFound) {
      return false;
    }
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    return p.exitValue() == 0;
  }
}
