package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Free and total inodes of the file system holding a directory. Why: every share is a file and
 * most a directory too, so a client storing many empty shares runs a disk out of inodes long
 * before its bytes, and a file system out of inodes fails everything on it, not only the
 * server. Java has no API for it; this is statvfs(3) through jnr-ffi (64-bit Linux layout).
 *
 * @param free inodes an unprivileged process may still use ({@code f_favail})
 * @param total inodes of the file system ({@code f_files}); 0 on file systems without a fixed
 *     number (btrfs, tmpfs with nr_inodes=0), where there is nothing to check
 */
public record Inodes(long free, long total) {
  /** What a file system without a fixed number of inodes, or an unknown one, reports. */
  public static final Inodes UNLIMITED = new Inodes(Long.MAX_VALUE, 0);
  private static final Logger log = LoggerFactory.getLogger(Inodes.class);
  private static final int STATVFS_SIZE = 112;
  private static final int F_FILES = 40;
  private static final int F_FAVAIL = 56;

  /** The part of libc used here. */
  public interface LibC {
    int statvfs(String path, Pointer buf);
  }

  private static final class Native {
    static final LibC LIBC = load();
    /** One statvfs buffer per calling thread, not a native allocation per allocation checked. */
    static final ThreadLocal<Pointer> BUFFER = ThreadLocal.withInitial(
        () -> Memory.allocateDirect(Runtime.getRuntime(LIBC), STATVFS_SIZE + 64));

    private static LibC load() {
      try {
        LibC libc = LibraryLoader.create(LibC.class).load("c");
        if (Runtime.getRuntime(libc).addressSize() != 8) {
          log.info("inode counts not read on a 32-bit platform; not checked");
          return null;
        }
        return libc;
      } catch (Throwable e) {
        log.warn("cannot call statvfs ({}); free inodes are not checked", e.toString());
        return null;
      }
    }
  }

  /** Whether no inode limit applies. */
  public boolean unlimited() {
    return total <= 0;
  }

  /**
   * The inodes of the file system holding {@code dir}; {@link #UNLIMITED} when they cannot be
   * read (no native call, a 32-bit platform).
   */
  static Inodes of(Path dir) throws IOException {
    LibC libc = Native.LIBC;
    if (libc == null) {
      return UNLIMITED;
    }
    Pointer buf = Native.BUFFER.get();
    if (libc.statvfs(dir.toString(), buf) != 0) {
      throw new IOException("statvfs of " + dir + " failed (errno "
          + Runtime.getRuntime(libc).getLastError() + ")");
    }
    long total = buf.getLong(F_FILES);
    return total <= 0 ? UNLIMITED : new Inodes(buf.getLong(F_FAVAIL), total);
  }
}
