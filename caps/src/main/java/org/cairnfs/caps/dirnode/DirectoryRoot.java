package org.cairnfs.caps.dirnode;

/**
 * The plaintext of a directory's mutable file: version 1 or 3, the whole entry list ({@link
 * FlatRoot}; 3 when entries carry special kinds or xattrs), or version 2, the root of a tree of
 * immutable pages ({@link PagedRoot}). Small directories stay flat; large ones page
 * (docs/specs/dirnode.md).
 */
public sealed interface DirectoryRoot permits FlatRoot, PagedRoot {
  /**
   * Parses a directory's plaintext of any version (1 and 3 flat, 2 paged).
   *
   * @throws DirectoryFormatException naming the fault
   */
  static DirectoryRoot decode(byte[] plaintext) {
    if (plaintext == null || plaintext.length < 5) {
      throw new DirectoryFormatException("directory plaintext needs at least 5 bytes, got "
          + (plaintext == null ? "none" : plaintext.length));
    }
    int version = plaintext[4] & 0xff;
    if (version == DirectoryCodec.VERSION || version == DirectoryCodec.VERSION_3) {
      return new FlatRoot(DirectoryCodec.decode(plaintext));
    } else if (version == PageCodec.VERSION) {
      return PageCodec.decodeRoot(plaintext);
    }
    // bad magic is reported before the version
    DirectoryCodec.decode(plaintext);
    throw new DirectoryFormatException("unknown directory version " + version);
  }

  /** The plaintext bytes. */
  byte[] encode();

  /** Entries in the whole directory (kept by writers in a paged root). */
  long entryCount();
}
