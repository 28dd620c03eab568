package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write-back journal file: appends go straight to the kernel (a killed process loses none),
 * {@link #sync} forces them to the disk with group commit (one fsync covers every append before
 * it, whoever asked). Format: docs/specs/journal.md.
 *
 * <p>A force that fails is never made good by a later one that works: after a failed fsync
 * the kernel may have dropped the dirty pages it could not write (and marked them clean), so a
 * later fsync that works says nothing about them ("fsyncgate"). From a failed force on, every
 * sync past the last good force fails with {@link ForceLostException} until {@link #rewrite}
 * writes the journal anew from memory.
 */
final class Journal implements AutoCloseable {
  /** Opens the journal's files; tests wrap the channels to make a force fail. */
  interface Channels {
    FileChannel open(Path p, OpenOption... options) throws IOException;
  }

  /**
   * A force of the journal failed, now or earlier: records appended since the last good force
   * may not be on the disk, and no later force proves they are. A {@link #rewrite} ends it.
   */
  static final class ForceLostException extends IOException {
    ForceLostException(String message, IOException cause) {
      super(message, cause);
    }
  }

  private final Path path;
  private final Channels channels;
  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock syncLock = new ReentrantLock();
  private FileChannel channel;
  private long nextSeq;
  private long written; // highest seq appended
  private volatile long synced; // highest seq known on disk
  private long bytes;
  /** The version byte in the file's header: 2 until a special file's entry is journaled. */
  private int headerVersion;
  private volatile long syncedBytes; // journal length known on disk
  private IOException torn; // an append failed and its partial frame could not be cut off
  private IOException lostForce; // a force failed since the last rewrite; under appendLock

  private Journal(Path path, long nextSeq, Channels channels) {
    this.path = path;
    this.nextSeq = nextSeq;
    this.channels = channels;
  }

  /** Reads the journal at {@code path} (missing: empty) without changing it. */
  static JournalCodec.Decoded read(Path path) throws IOException {
    if (!Files.exists(path)) {
      return new JournalCodec.Decoded(List.of(), 0, true);
    }
    byte[] all = Files.readAllBytes(path);
    return JournalCodec.decode(ByteBuffer.wrap(all));
  }

  /**
   * Replaces the journal at {@code path} with {@code snapshot} (written to a temporary file,
   * forced, renamed over, directory forced) and opens it for appends from {@code nextSeq}.
   */
  static Journal create(Path path, List<JournalCodec.Entry> snapshot, long nextSeq)
      throws IOException {
    return create(path, snapshot, nextSeq, FileChannel::open);
  }

  static Journal create(Path path, List<JournalCodec.Entry> snapshot, long nextSeq,
      Channels channels) throws IOException {
    Journal j = new Journal(path, nextSeq, channels);
    j.rewrite(snapshot);
    return j;
  }

  /**
   * Rewrites the journal as {@code snapshot}, forced; appends wait meanwhile. The snapshot must
   * hold every record's effect since the last good force: it ends a lost force.
   */
  void rewrite(List<JournalCodec.Entry> snapshot) throws IOException {
    appendLock.lock();
    try {
      Path tmp = path.resolveSibling(path.getFileName() + ".new");
      long size;
      try (FileChannel out = channels.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        int version = JournalCodec.versionFor(snapshot.stream().map(JournalCodec.Entry::record)
            .toList());
        writeFully(out, ByteBuffer.wrap(JournalCodec.header(version)));
        headerVersion = version;
        for (JournalCodec.Entry e : snapshot) {
          writeFully(out, ByteBuffer.wrap(JournalCodec.encode(e.seq(), e.record())));
          nextSeq = Math.max(nextSeq, e.seq() + 1);
        }
        out.force(true);
        size = out.size();
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      forceDirectory(path.getParent());
      if (channel != null) {
        channel.close();
      }
      channel = channels.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      torn = null;
      lostForce = null;
      bytes = size;
      written = nextSeq - 1;
      synced = written;
      syncedBytes = size;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Appends a record and returns its sequence number; on disk only after {@link #sync}. A failed
   * append (a full disk) leaves no part of its frame behind: a torn frame in the middle would end
   * the replay there and drop every later record. If even that cut fails, each later append
   * tries it again first and fails while it cannot.
   */
  long append(JournalRecord r) throws IOException {
    return appendAll(List.of(r));
  }

  /**
   * Appends records in one write and returns the sequence number of the first: all of them or,
   * when the write fails, none (cut off as in {@link #append}), so that an operation journaled
   * as several records never stays half journaled in a mount that goes on.
   */
  long appendAll(List<? extends JournalRecord> records) throws IOException {
    appendLock.lock();
    try {
      if (torn != null) {
        try {
          cutTorn();
        } catch (IOException e) {
          e.addSuppressed(torn);
          throw new IOException("the journal holds a partly written record that cannot be cut"
              + " off (" + e.getMessage() + "); nothing more is journaled until that works", e);
        }
      }
      int needed = JournalCodec.versionFor(records);
      if (headerVersion < needed) {
        raiseHeaderVersion(needed); // before the first frame an older Cairn could not read
      }
      long first = nextSeq;
      java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < records.size(); i++) {
        frames.writeBytes(JournalCodec.encode(first + i, records.get(i)));
      }
      byte[] all = frames.toByteArray();
      try {
        writeFully(channel, ByteBuffer.wrap(all));
      } catch (IOException e) {
        torn = e;
        try {
          cutTorn();
        } catch (IOException cut) {
          e.addSuppressed(cut);
        }
        throw e;
      }
      nextSeq += records.size();
      bytes += all.length;
      written = nextSeq - 1;
      return first;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Sets the header's version byte to the current version (through a channel of its own: a
   * positional write on the append channel would append on Linux); forced with the next sync,
   * as the frames are. Holds appendLock.
   */
  private void raiseHeaderVersion(int version) throws IOException {
    try (FileChannel h = channels.open(path, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(new byte[] {(byte) version});
      while (b.hasRemaining()) {
        h.write(b, JournalCodec.VERSION_OFFSET + b.position());
      }
    }
    headerVersion = version;
  }

  /** Cuts the journal back to its last whole frame after a failed append; holds appendLock. */
  private void cutTorn() throws IOException {
    channel.truncate(bytes);
    torn = null;
  }

  /**
   * Returns once every record up to {@code seq} is on disk. A {@link #rewrite} that replaces the
   * file meanwhile forces everything it holds, so a force of the old, now closed file is
   * answered by that.
   *
   * @throws ForceLostException if this force failed, or one did since the last rewrite
   */
  void sync(long seq) throws IOException {
    if (synced >= seq) {
      return;
    }
    syncLock.lock();
    try {
      while (synced < seq) {
        long upTo;
        long upToBytes;
        FileChannel ch;
        appendLock.lock();
        try {
          lostForceCheck();
          upTo = written;
          upToBytes = bytes;
          ch = channel;
        } finally {
          appendLock.unlock();
        }
        if (ch == null) {
          throw new ClosedChannelException();
        }
        IOException failure = null;
        try {
          ch.force(false);
        } catch (IOException e) {
          failure = e;
        }
        appendLock.lock();
        try {
          if (channel != ch) {
            continue; // replaced by a rewrite, which forced what it wrote and set synced
          }
          if (failure instanceof ClosedChannelException) {
            throw failure; // closed for good
          }
          if (failure != null) {
            lostForce = failure;
            throw new ForceLostException("forcing the journal failed: " + failure.getMessage()
                + "; records since the last good force may be lost", failure);
          }
          synced = Math.max(synced, upTo);
          syncedBytes = Math.max(syncedBytes, upToBytes);
        } finally {
          appendLock.unlock();
        }
      }
    } finally {
      syncLock.unlock();
    }
  }

  /** Throws while a force has failed since the last rewrite; holds appendLock. */
  private void lostForceCheck() throws ForceLostException {
    if (lostForce != null) {
      throw new ForceLostException("an earlier force of the journal failed ("
          + lostForce.getMessage() + "): the records since the last good force may be gone"
          + " from the disk, and no later force proves they are not; the journal must be"
          + " rewritten", lostForce);
    }
  }

  /** Whether a force failed since the last rewrite (syncs past the last good one fail). */
  boolean forceLost() {
    appendLock.lock();
    try {
      return lostForce != null;
    } finally {
      appendLock.unlock();
    }
  }

  /** The last sequence number appended. */
  long lastSeq() {
    appendLock.lock();
    try {
      return nextSeq - 1;
    } finally {
      appendLock.unlock();
    }
  }

  /** How much of the journal is known to be on disk: what a power loss leaves at worst. */
  long syncedBytes() {
    return syncedBytes;
  }

  long bytes() {
    appendLock.lock();
    try {
      return bytes;
    } finally {
      appendLock.unlock();
    }
  }

  /** Runs {@code body} with appends held off (a consistent cut for a snapshot). */
  <T> T withAppendsHeld(IoSupplier<T> body) throws IOException {
    appendLock.lock();
    try {
      return body.get();
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  public void close() throws IOException {
    appendLock.lock();
    try {
      if (channel != null) {
        FileChannel ch = channel;
        channel = null;
        try (ch) {
          lostForceCheck(); // closed unforced: the next mount replays what the disk holds
          ch.force(false);
        }
        synced = written;
        syncedBytes = bytes;
      }
    } finally {
      appendLock.unlock();
    }
  }

  static void forceDirectory(Path dir) {
    forceDirectory(dir, FileChannel::open);
  }

  /** {@link #forceDirectory(Path)} through {@code channels} (tests see the force). */
  static void forceDirectory(Path dir, Channels channels) {
    try (FileChannel d = channels.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // some filesystems refuse to open a directory; the rename is then as durable as it gets
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** A supplier that may throw IOException. */
  interface IoSupplier<T> {
    T get() throws IOException;
  }
}
