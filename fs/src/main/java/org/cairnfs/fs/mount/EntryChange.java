package org.cairnfs.fs.mount;

import java.util.Optional;

/** One change to a directory's entries, applied by {@link GridBackend#applyChanges}. */
public sealed interface EntryChange {
  String name();

  /** What became of one change on the version it was applied to. */
  enum Outcome {
    APPLIED,
    /** A {@link Create} found the name taken by another child: nothing was changed. */
    EXISTS
  }

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

  /**
   * Adds the entry {@code name} only if the name is free, or already names this same child (a
   * create published again after a crash): otherwise {@link Outcome#EXISTS} and no change. How
   * a client that believed the name free finds that another client took it meanwhile.
   */
  record Create(String name, Optional<String> cap, NodeMetadata metadata) implements EntryChange {
    public Create {
      if (name == null || cap == null || metadata == null) {
        throw new IllegalArgumentException("a create needs a name, a cap and metadata");
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
