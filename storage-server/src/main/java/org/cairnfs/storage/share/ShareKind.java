package org.cairnfs.storage.share;

/**
 * Whether a share belongs to an immutable file (written once through the incoming area) or to
 * a mutable slot (replaced whole by each signed new version).
 *
 * <p>The two kinds live side by side under one storage index directory with distinct file
 * names, so a client cannot squat a slot by uploading an immutable share under its index.
 */
public enum ShareKind {
  IMMUTABLE((byte) 0, ""),
  MUTABLE((byte) 1, "m");

  private final byte code;
  private final String filePrefix;

  ShareKind(byte code, String filePrefix) {
    this.code = code;
    this.filePrefix = filePrefix;
  }

  /** The byte that stands for this kind in lease-database keys. */
  public byte code() {
    return code;
  }

  /** What precedes the share number in the share's file name. */
  public String filePrefix() {
    return filePrefix;
  }

  /** The kind with this database code. */
  public static ShareKind ofCode(byte code) {
    for (ShareKind kind : values()) {
      if (kind.code == code) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown share kind code " + code);
  }
}
