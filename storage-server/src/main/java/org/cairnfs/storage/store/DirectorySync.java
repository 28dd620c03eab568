package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Syncs a directory so a rename in it is durable. Where the platform cannot open a directory
 * (some file systems refuse), nothing is synced and the rename is still atomic; a sync that the
 * disk fails is reported, since then the new name may not survive a crash.
 */
final class DirectorySync {
  private DirectorySync() {}

  static void sync(Path dir) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      return; // the platform does not open directories: best effort
    }
    try (channel) {
      channel.force(true);
    }
  }
}
