package org.cairnfs.caps.dirnode;

/** What a directory entry names; the code is its byte in the serialized form. */
public enum EntryKind {
  FILE(0),
  DIRECTORY(1),
  SYMLINK(2);

  private final int code;

  EntryKind(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  static EntryKind ofCode(int code) {
    for (EntryKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new DirectoryFormatException("unknown entry kind " + code);
  }
}
