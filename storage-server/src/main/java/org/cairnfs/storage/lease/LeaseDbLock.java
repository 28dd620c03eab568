package org.cairnfs.storage.lease;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock that makes one server the only user of a lease database: an OS lock on {@code
 * <database>.lock}, taken before the database is imported, created or opened and held until it
 * is closed. Why a file of its own: the database file can be replaced (a new database is renamed
 * into place), and a lock on a replaced file protects nothing; and taking SQLite's own lock
 * would need a write, which a full disk refuses.
 */
final class LeaseDbLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private LeaseDbLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code database} or fails at once.
   *
   * @throws IOException naming the lock file when another process or server holds it
   */
  static LeaseDbLock acquire(Path database) throws IOException {
    Path file = database.resolveSibling(database.getFileName() + ".lock");
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another server in this JVM
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("lease database " + database + " is in use: its lock " + file
          + " is held (is another server running with it?)");
    }
    return new LeaseDbLock(channel, lock);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
