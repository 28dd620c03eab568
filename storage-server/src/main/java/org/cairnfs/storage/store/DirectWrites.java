package org.cairnfs.storage.store;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether uploads write share bytes with direct I/O ({@code O_DIRECT}), and in what block size.
 * Why: a share is written once and read rarely, and copying every byte into the page cache
 * first was the largest single cost of a storage server during a put (about half of its CPU on
 * the development VM; docs/startup.md). Reads stay buffered. Decided once per store by writing
 * one aligned block to a probe file in the incoming area: file systems without direct I/O
 * (tmpfs on older kernels, in-memory ones, ext4 with data=journal) keep buffered writes.
 */
final class DirectWrites {
  private static final Logger log = LoggerFactory.getLogger(DirectWrites.class);
  /** No direct I/O: every byte through the page cache. */
  static final int OFF = 0;
  /** The largest block size used directly; larger ones keep buffered writes. */
  static final int MAX_ALIGNMENT = 65_536;

  private DirectWrites() {}

  /**
   * The alignment direct writes need in {@code incomingDir} (the file store's block size), or
   * {@link #OFF} when not {@code wanted} or not possible there.
   */
  static int alignment(Path incomingDir, boolean wanted) {
    if (!wanted) {
      log.info("{}: share writes go through the page cache (direct writes turned off)",
          incomingDir);
      return OFF;
    }
    Path probe = incomingDir.resolve("direct-io-probe");
    try {
      long size = Files.getFileStore(incomingDir).getBlockSize();
      if (size < 512 || size > MAX_ALIGNMENT || Long.bitCount(size) != 1) {
        log.info("{}: block size {}, share writes go through the page cache", incomingDir, size);
        return OFF;
      }
      int block = (int) size;
      try (FileChannel c = FileChannel.open(probe, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
        ByteBuffer zeros = ByteBuffer.allocateDirect(2 * block).alignedSlice(block).limit(block);
        c.write(zeros, 0);
      }
      log.debug("{}: share writes use direct I/O in blocks of {}", incomingDir, block);
      return block;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      log.info("{}: no direct I/O here ({}); share writes go through the page cache",
          incomingDir, e.toString());
      return OFF;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException e) {
        log.debug("could not delete {}", probe, e);
      }
    }
  }
}
