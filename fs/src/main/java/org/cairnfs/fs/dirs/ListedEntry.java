package org.cairnfs.fs.dirs;

import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;

/**
 * One entry of a directory as its reader may see it.
 *
 * @param cap the child's write cap when the directory was read through its write cap and the
 *     entry holds one (unsealed), else the child's read cap; absent exactly for symlinks
 */
public record ListedEntry(EntryName name, Optional<String> cap, EntryMetadata metadata) {
  public ListedEntry {
    if (name == null || cap == null || metadata == null) {
      throw new IllegalArgumentException("an entry needs a name, a cap and metadata");
    }
  }
}
