package org.cairnfs.caps.dirnode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * What {@code stat} needs about a child without fetching it: kind, size, permission bits,
 * times with nanosecond precision, and for symlinks the target.
 *
 * <p>Times are kept to the nanosecond because rsync, make and git compare them exactly; a
 * round trip through the directory must not round them.
 *
 * @param mode permission bits including setuid, setgid and sticky ({@code 0..07777}); the file
 *     type is carried by {@code kind}, not by mode
 * @param symlinkTarget present exactly when {@code kind} is SYMLINK; 1..4095 UTF-8 bytes, no NUL
 */
public record EntryMetadata(EntryKind kind, long size, int mode, Instant mtime, Instant ctime,
    Optional<String> symlinkTarget) {
  public static final int MAX_MODE = 07777;
  public static final int MAX_SYMLINK_BYTES = 4095;

  public EntryMetadata {
    if (kind == null || mtime == null || ctime == null || symlinkTarget == null) {
      throw new DirectoryFormatException("metadata needs kind, mtime, ctime and symlink target");
    }
    if (size < 0) {
      throw new DirectoryFormatException("size must not be negative, got " + size);
    }
    if (mode < 0 || mode > MAX_MODE) {
      throw new DirectoryFormatException("mode must be in 0..07777, got 0"
          + Integer.toOctalString(mode));
    }
    if ((kind == EntryKind.SYMLINK) != symlinkTarget.isPresent()) {
      throw new DirectoryFormatException(kind == EntryKind.SYMLINK
          ? "a symlink needs a target" : "only a symlink has a target, not a " + kind);
    }
    symlinkTarget.ifPresent(EntryMetadata::checkTarget);
  }

  /** Metadata of a regular file or directory (no symlink target). */
  public static EntryMetadata of(EntryKind kind, long size, int mode, Instant mtime,
      Instant ctime) {
    return new EntryMetadata(kind, size, mode, mtime, ctime, Optional.empty());
  }

  /** Metadata of a symlink; its size is the target's length in UTF-8 bytes, as lstat says. */
  public static EntryMetadata symlink(String target, int mode, Instant mtime, Instant ctime) {
    long size = target == null ? 0 : target.getBytes(StandardCharsets.UTF_8).length;
    return new EntryMetadata(EntryKind.SYMLINK, size, mode, mtime, ctime,
        Optional.ofNullable(target));
  }

  private static void checkTarget(String target) {
    byte[] utf8 = StrictUtf8.encode(target, "symlink target");
    if (utf8.length == 0 || utf8.length > MAX_SYMLINK_BYTES) {
      throw new DirectoryFormatException("symlink target must be 1.." + MAX_SYMLINK_BYTES
          + " UTF-8 bytes, got " + utf8.length);
    }
    if (target.indexOf('\0') >= 0) {
      throw new DirectoryFormatException("symlink target contains NUL");
    }
  }
}
