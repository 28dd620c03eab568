package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * One generation of a file's local changes: a sparse spool file holding whole pages at their
 * file offsets, the set of pages it holds, and the truncation limit it applies to the layers
 * below it. The open layer takes writes; once committed (flush) it is sealed and never changes
 * again, so the uploader reads it without locks and a crash never tears a committed version.
 */
final class Layer {
  /**
   * The spool's unit: a write covering part of a page first copies the page's current content
   * into the layer (from the layers below or the grid). 4 KiB, the kernel's page, so that the
   * aligned writes of page caches, databases and fio never read the base from the grid.
   */
  static final int PAGE = 4 * 1024;
  /** Journal version 1 counted pages of 64 KiB: 16 of these. */
  static final int V1_PAGES_PER_PAGE = 16;

  final long gen;
  final Path path;
  private final Journal.Channels channels;
  private final FileChannel channel;
  final BitSet pages;
  /** The file's size as of this layer. */
  volatile long size;
  /** Bytes at or past this offset in the layers below (and the base) read as zeros. */
  volatile long limit;
  volatile boolean sealed;
  /** Whether the spool directory was forced since this layer's file was created. */
  private volatile boolean nameForced;

  private Layer(long gen, Path path, Journal.Channels channels, BitSet pages, long size,
      long limit, OpenOption... options) throws IOException {
    this.gen = gen;
    this.path = path;
    this.channels = channels;
    this.channel = channels.open(path, options);
    this.pages = pages;
    this.size = size;
    this.limit = limit;
  }

  static Layer create(Path path, long gen, long size) throws IOException {
    return create(path, gen, size, FileChannel::open);
  }

  /** Through {@code channels}: tests see the reads, writes and forces. */
  static Layer create(Path path, long gen, long size, Journal.Channels channels)
      throws IOException {
    return new Layer(gen, path, channels, new BitSet(), size, Long.MAX_VALUE,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  /** A sealed layer found on disk at replay. */
  static Layer reopen(Path path, long gen, BitSet pages, long size, long limit)
      throws IOException {
    Layer l = new Layer(gen, path, FileChannel::open, pages, size, limit,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    l.sealed = true;
    l.nameForced = true; // found by name: the mount forces the spool directory at open
    return l;
  }

  boolean holds(long page) {
    return page < Integer.MAX_VALUE && pages.get((int) page);
  }

  void readAt(ByteBuffer dst, long offset) throws IOException {
    while (dst.hasRemaining()) {
      int n = channel.read(dst, offset);
      if (n < 0) { // a sparse tail the file never reached reads as zeros
        while (dst.hasRemaining()) {
          dst.put((byte) 0);
        }
        return;
      }
      offset += n;
    }
  }

  void writeAt(ByteBuffer src, long offset) throws IOException {
    while (src.hasRemaining()) {
      offset += channel.write(src, offset);
    }
  }

  /**
   * Forces the layer's bytes, and the first time also the spool directory, so that the name
   * the journal's FileCommit points to survives a power loss too (POSIX asks for the
   * directory's fsync; ext4 happens to commit it with the file's).
   */
  void force() throws IOException {
    channel.force(false);
    if (!nameForced) {
      Journal.forceDirectory(path.getParent(), channels);
      nameForced = true;
    }
  }

  long heldBytes() {
    return (long) pages.cardinality() * PAGE;
  }

  void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing left to lose: the layer is being dropped
    }
  }

  void delete() {
    close();
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a leftover spool file is removed at the next mount
    }
  }
}
