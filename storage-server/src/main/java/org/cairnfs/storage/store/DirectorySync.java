package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Syncs a directory so a rename in it is durable; best effort where the platform refuses. */
final class DirectorySync {
  private DirectorySync() {}

  static void sync(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every file system lets a directory be opened; the rename itself is still atomic.
    }
  }
}
