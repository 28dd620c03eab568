package org.cairnfs.storage.store;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.share.ShareKey;

/**
 * One immutable share being uploaded into the incoming area. Writes are bounded by the
 * declared size; a byte may be written twice only with the same value (a retried chunk), so a
 * share's content cannot change under a reader of the incoming file.
 *
 * <p>With {@link DirectWrites} on, the whole aligned blocks of each write go to the disk
 * directly and only its unaligned ends through the page cache (the same file opened twice; the
 * kernel keeps the two coherent). A direct write that fails turns direct I/O off for the share
 * and is done buffered.
 */
final class IncomingShare {
  /** Bytes a thread stages for one direct write; aligned for any block size direct I/O takes. */
  private static final int STAGING_BYTES = 256 << 10;
  private static final ThreadLocal<ByteBuffer> STAGING = ThreadLocal.withInitial(
      () -> ByteBuffer.allocateDirect(STAGING_BYTES + DirectWrites.MAX_ALIGNMENT)
          .alignedSlice(DirectWrites.MAX_ALIGNMENT));
  private final ShareKey key;
  private final long size;
  private final LeaseOwner owner;
  private final LeaseSecrets secrets;
  private final Path path;
  private final FileChannel channel;
  /** The same file opened for direct I/O, or null. */
  private FileChannel direct;
  private final int alignment;
  private final SpaceBudget.Reservation reservation;
  private final WrittenRanges written = new WrittenRanges();
  /** Closed, aborted or dropped: nothing more may happen to it. */
  private boolean finished;
  /** Complete and handed to the group commit: no more writes, no abort, no expiry. */
  private boolean sealed;
  private long lastProgressMillis;

  private IncomingShare(ShareKey key, long size, LeaseOwner owner, LeaseSecrets secrets,
      Path path, FileChannel channel, FileChannel direct, int alignment,
      SpaceBudget.Reservation reservation) {
    this.key = key;
    this.direct = direct;
    this.alignment = alignment;
    this.reservation = reservation;
    this.size = size;
    this.owner = owner;
    this.secrets = secrets;
    this.path = path;
    this.channel = channel;
  }

  /** {@code reservation} is the upload's space charge, told as bytes land on disk. */
  static IncomingShare create(ShareKey key, long size, LeaseOwner owner, LeaseSecrets secrets,
      Path path, SpaceBudget.Reservation reservation) throws IOException {
    return create(key, size, owner, secrets, path, reservation, DirectWrites.OFF);
  }

  /**
   * As {@link #create(ShareKey, long, LeaseOwner, LeaseSecrets, Path, SpaceBudget.Reservation)},
   * writing whole blocks of {@code alignment} bytes directly ({@link DirectWrites#OFF}: none).
   */
  static IncomingShare create(ShareKey key, long size, LeaseOwner owner, LeaseSecrets secrets,
      Path path, SpaceBudget.Reservation reservation, int alignment) throws IOException {
    FileChannel channel = createNew(path);
    FileChannel direct = null;
    if (alignment > 0 && size >= alignment) {
      try {
        direct = FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
      } catch (IOException | UnsupportedOperationException e) {
        direct = null; // buffered, as on a file system without direct I/O
      }
    }
    return new IncomingShare(key, size, owner, secrets, path, channel, direct, alignment,
        reservation);
  }

  /**
   * Creates {@code path} (an upload's or a staged slot version's file in the incoming area),
   * open to write and read back; its directory is made only if missing (the store makes it at
   * start, a test's file system may not have it).
   */
  static FileChannel createNew(Path path) throws IOException {
    try {
      return open(path);
    } catch (NoSuchFileException e) {
      Files.createDirectories(path.getParent());
      return open(path);
    }
  }

  private static FileChannel open(Path path) throws IOException {
    return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.READ);
  }

  ShareKey key() {
    return key;
  }

  long size() {
    return size;
  }

  LeaseOwner owner() {
    return owner;
  }

  LeaseSecrets secrets() {
    return secrets;
  }

  SpaceBudget.Reservation reservation() {
    return reservation;
  }

  /** Writes a chunk received at {@code nowMillis}; new bytes count as progress. */
  synchronized void write(long offset, ByteBuffer data, long nowMillis)
      throws StoreException, IOException {
    checkOpen();
    long length = data.remaining();
    if (offset < 0 || offset > size || length > size - offset) {
      throw StoreException.badRequest("write of " + length + " bytes at offset " + offset
          + " does not fit share " + key + " of declared size " + size);
    }
    long end = offset + length;
    if (written.wouldOverflow(offset, end)) {
      throw StoreException.badRequest("upload of " + key + " is split into more than "
          + WrittenRanges.MAX_RANGES + " separate ranges");
    }
    for (long[] overlap : written.overlaps(offset, end)) {
      checkSame(overlap[0], overlap[1], data.duplicate()
          .position(data.position() + (int) (overlap[0] - offset))
          .limit(data.position() + (int) (overlap[1] - offset)));
    }
    long first = direct == null ? end : (offset + alignment - 1) / alignment * alignment;
    long last = direct == null ? end : end / alignment * alignment;
    if (last > first) {
      int p = data.position();
      writeAll(channel, data.duplicate().limit(p + (int) (first - offset)), offset);
      ByteBuffer blocks = data.duplicate().position(p + (int) (first - offset))
          .limit(p + (int) (last - offset));
      try {
        writeDirect(blocks.duplicate(), first);
      } catch (IOException e) {
        try {
          closeDirect();
        } catch (IOException ignored) {
          // buffered from here on all the same
        }
        writeAll(channel, blocks, first);
      }
      writeAll(channel, data.duplicate().position(p + (int) (last - offset)), last);
    } else {
      writeAll(channel, data.duplicate(), offset);
    }
    long before = written.writtenBytes();
    written.add(offset, end);
    long after = written.writtenBytes();
    if (after > before) {
      lastProgressMillis = nowMillis;
    }
    reservation.written(after);
  }

  private static void writeAll(FileChannel to, ByteBuffer src, long position)
      throws IOException {
    while (src.hasRemaining()) {
      position += to.write(src, position);
    }
  }

  /**
   * Writes whole blocks through this thread's aligned staging buffer: a heap buffer handed to
   * a direct channel would go through the JDK's cache of temporary buffers, which on Java 17
   * frees an aligned one with a NullPointerException ({@code Util.free}).
   */
  private void writeDirect(ByteBuffer blocks, long position) throws IOException {
    ByteBuffer staging = STAGING.get();
    while (blocks.hasRemaining()) {
      int n = Math.min(blocks.remaining(), staging.capacity());
      staging.clear();
      staging.put(blocks.duplicate().limit(blocks.position() + n)).flip();
      blocks.position(blocks.position() + n);
      writeAll(direct, staging, position);
      position += n;
    }
  }

  /** Whether whole blocks still go to the disk directly (tests). */
  synchronized boolean writesDirect() {
    return direct != null;
  }

  /** Marks the upload as making progress at {@code nowMillis} (it was just opened). */
  synchronized void started(long nowMillis) {
    lastProgressMillis = nowMillis;
  }

  /** Whether no new byte arrived for more than {@code idleMillis} before {@code nowMillis}. */
  synchronized boolean idleSince(long nowMillis, long idleMillis) {
    return !finished && !sealed && nowMillis - lastProgressMillis > idleMillis;
  }

  /**
   * Verifies every byte arrived and seals the upload for closing: from now on writes, aborts
   * and the idle sweep leave it alone. An incomplete upload stays open.
   */
  synchronized void seal() throws StoreException {
    checkOpen();
    if (!written.covers(size)) {
      throw StoreException.badRequest("share " + key + " is incomplete: "
          + written.writtenBytes() + " of " + size + " bytes written");
    }
    sealed = true;
  }

  synchronized boolean isSealed() {
    return sealed;
  }

  /** Syncs the sealed file's bytes to the disk and closes it. */
  synchronized void sync() throws IOException {
    if (!sealed || finished) {
      throw new IllegalStateException("sync of " + key + " that is not sealed or already done");
    }
    channel.force(true); // the inode's: both channels' bytes, and the disk's cache
    channel.close();
    closeDirect();
  }

  private void closeDirect() throws IOException {
    FileChannel d = direct;
    direct = null;
    if (d != null) {
      d.close();
    }
  }

  /**
   * Moves the synced file to {@code target} (creating its directories) and returns the
   * directories whose entries changed, deepest first: they need a sync for the move to last.
   */
  synchronized List<Path> moveTo(Path target) throws IOException {
    if (!sealed || finished) {
      throw new IllegalStateException("move of " + key + " that is not sealed or already done");
    }
    List<Path> changed = createParents(target);
    Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
    finished = true;
    return changed;
  }

  /**
   * Creates the missing parent directories of {@code target}; returns the directories a rename
   * to {@code target} changes: its parent and the parent of each directory created.
   */
  static List<Path> createParents(Path target) throws IOException {
    List<Path> changed = new ArrayList<>();
    changed.add(target.getParent());
    Path missing = target.getParent();
    while (missing != null && !Files.isDirectory(missing)) {
      changed.add(missing.getParent());
      missing = missing.getParent();
    }
    Files.createDirectories(target.getParent());
    return changed;
  }

  /**
   * Seals, syncs and moves the file to {@code target} and syncs the directories that changed,
   * one share alone (tests; the store closes through its group commit).
   */
  void finish(Path target) throws StoreException, IOException {
    seal();
    sync();
    for (Path dir : moveTo(target)) {
      DirectorySync.sync(dir);
    }
  }

  /** Drops the upload and its incoming file. */
  synchronized void discard() throws IOException {
    if (!finished) {
      finished = true;
      channel.close();
      closeDirect();
    }
    Files.deleteIfExists(path);
  }

  private void checkOpen() throws StoreException {
    if (finished) {
      throw StoreException.notFound("upload of " + key + " is already closed or aborted");
    }
    if (sealed) {
      throw StoreException.notFound("upload of " + key + " is being closed");
    }
  }

  private void checkSame(long start, long end, ByteBuffer expected)
      throws StoreException, IOException {
    ByteBuffer held = ByteBuffer.allocate((int) (end - start));
    while (held.hasRemaining()) {
      int n = channel.read(held, start + held.position());
      if (n < 0) {
        break;
      }
    }
    held.flip();
    byte[] a = new byte[held.remaining()];
    held.get(a);
    byte[] b = new byte[expected.remaining()];
    expected.get(b);
    if (!Arrays.equals(a, b)) {
      throw StoreException.badRequest("write to " + key + " at " + start
          + " conflicts with bytes already written there");
    }
  }
}
