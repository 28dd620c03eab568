package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many bytes the disk under the storage dir can still take. Behind an interface so tests
 * can play a nearly full disk, which an in-memory file system cannot.
 */
@FunctionalInterface
public interface FreeSpace {
  long usableBytes() throws IOException;

  /** The usable space the file store holding {@code dir} reports. */
  static FreeSpace of(Path dir) {
    return () -> Files.getFileStore(dir).getUsableSpace();
  }
}
