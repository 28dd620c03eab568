package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many bytes (and files) the disk under the storage dir can still take. Behind an interface
 * so tests can play a nearly full disk, which an in-memory file system cannot.
 */
@FunctionalInterface
public interface FreeSpace {
  long usableBytes() throws IOException;

  /** The disk's free and total inodes; {@link Inodes#UNLIMITED} unless a file system says. */
  default Inodes inodes() throws IOException {
    return Inodes.UNLIMITED;
  }

  /**
   * The usable space the file store holding {@code dir} reports. The store is looked up once
   * (on Linux that reads the whole mount table) and then asked each time (one statvfs), since
   * every allocation and write asks under the space budget's lock.
   */
  static FreeSpace of(Path dir) {
    return new FreeSpace() {
      private volatile FileStore store;

      @Override
      public long usableBytes() throws IOException {
        FileStore s = store;
        if (s == null) {
          s = Files.getFileStore(dir);
          store = s;
        }
        return s.getUsableSpace();
      }

      @Override
      public Inodes inodes() throws IOException {
        // statvfs takes a path of the real file system (an in-memory one has no inodes)
        return dir.getFileSystem() == FileSystems.getDefault() ? Inodes.of(dir)
            : Inodes.UNLIMITED;
      }
    };
  }
}
