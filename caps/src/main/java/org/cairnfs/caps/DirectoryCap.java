package org.cairnfs.caps;

import java.util.Optional;

/**
 * A cap naming a directory: a file cap (mutable, immutable or literal) whose plaintext is an
 * entry list. Authority and storage index are those of the file it wraps.
 */
public sealed interface DirectoryCap extends Cap
    permits DirectoryWriteCap, DirectoryReadCap, DirectoryVerifyCap, ImmutableDirectoryReadCap,
        ImmutableDirectoryVerifyCap, LiteralDirectoryCap {

  /** The file holding the entry list. */
  Cap file();

  @Override
  default Optional<StorageIndex> storageIndex() {
    return file().storageIndex();
  }

  @Override
  default boolean isDirectory() {
    return true;
  }

  @Override
  default boolean isWritable() {
    return file().isWritable();
  }

  @Override
  default boolean isReadable() {
    return file().isReadable();
  }

  /** The constructors' check that the wrapped file cap is present. */
  static <T extends Cap> T required(T file, String kind) {
    if (file == null) {
      throw new CapFormatException(kind + " needs its file cap");
    }
    return file;
  }
}
