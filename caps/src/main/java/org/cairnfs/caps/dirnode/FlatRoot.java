package org.cairnfs.caps.dirnode;

/**
 * A directory whose entries all sit in its mutable file (format version 1, or 3 when an entry
 * needs it).
 */
public record FlatRoot(DirectoryContents contents) implements DirectoryRoot {
  public FlatRoot {
    if (contents == null) {
      throw new IllegalArgumentException("contents missing");
    }
  }

  @Override
  public byte[] encode() {
    return DirectoryCodec.encode(contents);
  }

  @Override
  public long entryCount() {
    return contents.size();
  }
}
