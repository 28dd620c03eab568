package org.cairnfs.fs.mount;

import java.time.Instant;
import org.cairnfs.caps.dirnode.EntryKind;

/**
 * What stat(2) shows of a node. {@code ino} is stable for as long as the mount runs;
 * {@code blocks} counts 512-byte blocks.
 */
public record StatInfo(long ino, EntryKind kind, int mode, long nlink, int uid, int gid,
    long size, long blocks, Instant atime, Instant mtime, Instant ctime, long rdev) {

  /** The st_mode file-type bits for the kind (S_IFREG, S_IFDIR, S_IFLNK, ...). */
  public int typeBits() {
    return typeBits(kind);
  }

  /** The st_mode file-type bits of {@code kind}. */
  public static int typeBits(EntryKind kind) {
    return switch (kind) {
      case FILE -> 0100000;
      case DIRECTORY -> 0040000;
      case SYMLINK -> 0120000;
      case FIFO -> 0010000;
      case CHAR_DEVICE -> 0020000;
      case BLOCK_DEVICE -> 0060000;
      case SOCKET -> 0140000;
    };
  }

  /** The kind of st_mode's file-type bits, or empty for bits no kind has. */
  public static java.util.Optional<EntryKind> kindOf(int typeBits) {
    for (EntryKind k : EntryKind.values()) {
      if (typeBits(k) == (typeBits & 0170000)) {
        return java.util.Optional.of(k);
      }
    }
    return java.util.Optional.empty();
  }
}
