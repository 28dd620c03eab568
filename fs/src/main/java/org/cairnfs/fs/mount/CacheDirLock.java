package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * One mount owns a cache dir at a time: an exclusive lock on {@code <cache>/lock}, released by
 * the kernel when the process dies, so a killed mount never blocks the next one.
 */
final class CacheDirLock implements AutoCloseable {
  /** How long a mount waits for the cache dir's previous owner to end. */
  static final Duration WAIT = Duration.ofSeconds(5);

  private final FileChannel channel;
  private final FileLock lock;

  private CacheDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, waiting up to {@link #WAIT} for a holder to let go: a mount just unmounted
   * releases it only as its process ends, moments after `cairn unmount` returned.
   */
  static CacheDirLock acquire(Path cacheDir) throws IOException {
    return acquire(cacheDir, WAIT);
  }

  static CacheDirLock acquire(Path cacheDir, Duration wait) throws IOException {
    FileChannel ch = FileChannel.open(cacheDir.resolve("lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (true) {
        FileLock l;
        try {
          l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          l = null; // held in this process
        }
        if (l != null) {
          return new CacheDirLock(ch, l);
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new IOException("cache dir " + cacheDir + " is in use by another mount (still"
              + " after " + wait.toSeconds() + " s); unmount it or give this mount its own"
              + " --cache-dir");
        }
        Thread.sleep(50);
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    } catch (InterruptedException e) {
      ch.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the lock of cache dir " + cacheDir);
    }
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
