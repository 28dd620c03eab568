package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One mount owns a cache dir at a time: an exclusive lock on {@code <cache>/lock}, released by
 * the kernel when the process dies, so a killed mount never blocks the next one.
 */
final class CacheDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private CacheDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static CacheDirLock acquire(Path cacheDir) throws IOException {
    FileChannel ch = FileChannel.open(cacheDir.resolve("lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new IOException("cache dir " + cacheDir + " is in use by another mount; unmount it"
          + " or give this mount its own --cache-dir");
    }
    return new CacheDirLock(ch, l);
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
