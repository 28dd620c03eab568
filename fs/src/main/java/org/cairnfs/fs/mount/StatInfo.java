package org.cairnfs.fs.mount;

import java.time.Instant;
import org.cairnfs.caps.dirnode.EntryKind;

/**
 * What stat(2) shows of a node. {@code ino} is stable for as long as the mount runs;
 * {@code blocks} counts 512-byte blocks.
 */
public record StatInfo(long ino, EntryKind kind, int mode, long nlink, int uid, int gid,
    long size, long blocks, Instant atime, Instant mtime, Instant ctime) {

  /** The st_mode file-type bits for the kind (S_IFREG, S_IFDIR, S_IFLNK). */
  public int typeBits() {
    return switch (kind) {
      case FILE -> 0100000;
      case DIRECTORY -> 0040000;
      case SYMLINK -> 0120000;
    };
  }
}
