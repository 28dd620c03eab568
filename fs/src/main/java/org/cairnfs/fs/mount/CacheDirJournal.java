package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cache dir's journal read from outside its mount: what a stopped mount left for the grid.
 * The demo's collector asks it, since the next mount of that root publishes those changes and
 * what they name must not be taken for garbage meanwhile.
 */
public final class CacheDirJournal {
  private CacheDirJournal() {}

  /**
   * The directory entry changes the journal of a cache dir holds for the grid (0 without a
   * journal), read without changing anything. Meaningful only while no mount uses the dir.
   *
   * @throws IOException if the journal cannot be read or is not one this version replays
   */
  public static int pendingChanges(Path cacheDir) throws IOException {
    Path path = cacheDir.resolve(WriteBack.JOURNAL);
    if (!Files.exists(path)) {
      return 0;
    }
    JournalCodec.Decoded decoded = Journal.read(path);
    if ((!decoded.headerValid() && Files.size(path) > 0) || decoded.refusal().isPresent()) {
      throw new IOException("journal " + path + " is not one this version replays");
    }
    PendingState pending = new PendingState();
    for (JournalCodec.Entry e : decoded.entries()) {
      pending.apply(e.seq(), e.record());
    }
    return pending.changeCount();
  }
}
