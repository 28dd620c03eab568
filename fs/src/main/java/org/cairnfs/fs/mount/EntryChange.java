package org.cairnfs.fs.mount;

import java.util.Optional;

/** One change to a directory's entries, applied by {@link GridBackend#applyChanges}. */
public sealed interface EntryChange {
  String name();

  /**
   * Adds or replaces the entry {@code name}.
   *
   * @param cap the child's cap (write cap where the mount holds one); absent for a symlink
   */
  record Put(String name, Optional<String> cap, NodeMetadata metadata) implements EntryChange {
    public Put {
      if (name == null || cap == null || metadata == null) {
        throw new IllegalArgumentException("a put needs a name, a cap and metadata");
      }
    }
  }

  /** Removes the entry {@code name}; nothing happens if it is not there. */
  record Remove(String name) implements EntryChange {
    public Remove {
      if (name == null) {
        throw new IllegalArgumentException("a remove needs a name");
      }
    }
  }
}
