package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
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
 * A sealed layer's spool file is open only while it is among the {@link SealedDescriptors}'
 * most recently used: a mount with many files waiting for the grid holds a bounded number of
 * descriptors, not one per file.
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
  /** Null while closed to save a descriptor (sealed layers only); guarded by this. */
  private FileChannel channel;
  /** Deleted or closed for good: no read opens the file again; written under this. */
  private volatile boolean dropped;
  /** Written since its last successful force: its descriptor is not closed before one. */
  private volatile boolean unforced;
  /**
   * A write-back error reported while closing the descriptor for the bound (by the fsync
   * before it, or by close(2) on NFS, CIFS or FUSE): the next forces fail with it, as a force
   * through the descriptor kept open would have. Guarded by this.
   */
  private IOException lost;
  final BitSet pages;
  /** The file's size as of this layer. */
  volatile long size;
  /** Bytes at or past this offset in the layers below (and the base) read as zeros. */
  volatile long limit;
  private volatile boolean sealed;
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
    l.nameForced = true; // found by name: the mount forces the spool directory at open
    l.seal();
    return l;
  }

  /** No more writes: from now on the spool file may be closed between reads. */
  void seal() {
    sealed = true;
    SealedDescriptors.SHARED.used(this);
  }

  boolean sealed() {
    return sealed;
  }

  /** The open channel, opening the spool file again if the descriptor bound closed it. */
  private FileChannel channel() throws IOException {
    FileChannel ch;
    boolean reopened = false;
    synchronized (this) {
      if (dropped) {
        throw new ClosedChannelException();
      }
      ch = channel;
      if (ch == null || !ch.isOpen()) { // closed by the bound, or by an interrupted reader
        ch = channels.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel = ch;
        reopened = true;
      }
    }
    if (sealed) { // every use, not only a reopen: the bound closes the least recently used
      SealedDescriptors.SHARED.used(this);
    }
    return ch;
  }

  /**
   * Closes the spool file until the next read (the descriptor bound's eviction). Bytes not
   * forced yet are forced first: once no descriptor pins the inode, the kernel may evict it,
   * and a write-back error recorded in it with it; an error is kept for the next force.
   */
  void closeUntilUsed() {
    FileChannel ch;
    synchronized (this) {
      ch = channel;
      channel = null;
    }
    if (ch == null) {
      return;
    }
    try {
      if (unforced) {
        ch.force(false);
        unforced = false;
      }
      ch.close();
    } catch (ClosedChannelException e) {
      // closed by an interrupt meanwhile (or this thread is interrupted): still unforced, the
      // next force covers it through a new descriptor
    } catch (IOException e) {
      closeQuietly(ch);
      synchronized (this) {
        if (lost == null) {
          lost = e;
        }
      }
    }
  }

  /** Whether the layer is closed for good (the bound forgets it). */
  boolean dropped() {
    return dropped;
  }

  boolean holds(long page) {
    return page < Integer.MAX_VALUE && pages.get((int) page);
  }

  void readAt(ByteBuffer dst, long offset) throws IOException {
    int start = dst.position(); // a retry goes on from what the last attempt read
    onChannel(ch -> {
      while (dst.hasRemaining()) {
        if (ch.read(dst, offset + dst.position() - start) < 0) {
          while (dst.hasRemaining()) { // a sparse tail the file never reached reads as zeros
            dst.put((byte) 0);
          }
        }
      }
    });
  }

  /** Something done through the layer's channel. */
  private interface ChannelCall {
    void run(FileChannel ch) throws IOException;
  }

  /**
   * Runs {@code call} on the channel, opening it again when the descriptor bound closed it
   * meanwhile (at most three tries: dropped, or closed again and again); an interrupt's close
   * is the caller's to see.
   */
  private void onChannel(ChannelCall call) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        call.run(channel());
        return;
      } catch (ClosedByInterruptException e) {
        throw e;
      } catch (ClosedChannelException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  void writeAt(ByteBuffer src, long offset) throws IOException {
    FileChannel ch = channel();
    unforced = true;
    while (src.hasRemaining()) {
      offset += ch.write(src, offset);
    }
  }

  /**
   * Forces the layer's bytes, and the first time also the spool directory, so that the name
   * the journal's FileCommit points to survives a power loss too (POSIX asks for the
   * directory's fsync; ext4 happens to commit it with the file's).
   */
  void force() throws IOException {
    // through a reopened descriptor too: fsync covers the file's pages whoever wrote them, and
    // Linux (4.14 and later) reports a write-back error no descriptor has seen to the next one
    onChannel(ch -> ch.force(false));
    synchronized (this) {
      if (lost != null) {
        throw new IOException("a write-back error reported when its spool file was closed: "
            + lost.getMessage(), lost);
      }
    }
    unforced = false; // no write runs meanwhile: the open layer's under the file's lock
    if (!nameForced) {
      Journal.forceDirectory(path.getParent(), channels);
      nameForced = true;
    }
  }

  long heldBytes() {
    return (long) pages.cardinality() * PAGE;
  }

  /** Closes the spool file for good. */
  void close() {
    FileChannel ch;
    synchronized (this) {
      dropped = true;
      ch = channel;
      channel = null;
    }
    closeQuietly(ch);
    if (sealed) {
      SealedDescriptors.SHARED.forget(this);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch == null) {
      return;
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing written through it is lost: reads and forces open the file again
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
