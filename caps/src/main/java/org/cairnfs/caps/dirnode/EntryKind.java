package org.cairnfs.caps.dirnode;

/**
 * What a directory entry names; the code is its byte in the serialized form.
 *
 * <p>FIFOs, sockets and device nodes are names only: their content lives in the kernel of the
 * machine that opens them, so they carry neither caps nor data, just metadata (and a device
 * number for devices). Codes 3 to 6 exist from directory format version 3 on.
 */
public enum EntryKind {
  FILE(0),
  DIRECTORY(1),
  SYMLINK(2),
  FIFO(3),
  CHAR_DEVICE(4),
  BLOCK_DEVICE(5),
  SOCKET(6);

  private final int code;

  EntryKind(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * The kind's name in listings, JSON and entry lines: {@code file}, {@code directory},
   * {@code symlink}, {@code fifo}, {@code char-device}, {@code block-device}, {@code socket}.
   */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** Whether entries of this kind name a node on the grid through a read cap. */
  public boolean hasCap() {
    return this == FILE || this == DIRECTORY;
  }

  /** A FIFO, socket or device node: a name with metadata and nothing on the grid. */
  public boolean isSpecial() {
    return code >= FIFO.code;
  }

  /** A character or block device, the kinds that carry a device number. */
  public boolean isDevice() {
    return this == CHAR_DEVICE || this == BLOCK_DEVICE;
  }

  /** The kind of a code, or a format exception naming it. */
  public static EntryKind ofCode(int code) {
    for (EntryKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new DirectoryFormatException("unknown entry kind " + code);
  }
}
