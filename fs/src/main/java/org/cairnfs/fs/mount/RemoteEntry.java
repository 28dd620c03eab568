package org.cairnfs.fs.mount;

import java.util.Optional;

/**
 * One entry of a directory listing.
 *
 * @param cap the child's cap: its write cap where the listing directory holds one, else its
 *     read cap; absent exactly for symlinks
 */
public record RemoteEntry(String name, Optional<String> cap, NodeMetadata metadata) {
  public RemoteEntry {
    if (name == null || cap == null || metadata == null) {
      throw new IllegalArgumentException("an entry needs a name, a cap and metadata");
    }
  }
}
