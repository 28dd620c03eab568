package org.cairnfs.fs.mount;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.dirnode.EntryKind;

/**
 * What a directory entry says about its child: kind, size, permission bits, modification and
 * change times, the target of a symlink, and application extended attributes.
 *
 * <p>Access times are not on the grid: the mount keeps them in memory for as long as it runs.
 * Owners are, as the reserved xattr of {@link NodeOwner} when set to other than the mounting
 * user.
 *
 * @param xattrs extended attributes: the application's ({@code user.*} names) and the owner's
 *     ({@link NodeOwner#XATTR}); empty unless the grid keeps them
 *     ({@link GridBackend#keepsUserXattrs()})
 * @param rdev the device number of a character or block device (0..2^32-1), 0 for every other
 *     kind
 */
public record NodeMetadata(EntryKind kind, long size, int mode, Instant mtime, Instant ctime,
    Optional<String> symlinkTarget, Map<String, byte[]> xattrs, long rdev) {
  public static final int MAX_MODE = 07777;

  public NodeMetadata {
    if (kind == null || mtime == null || ctime == null || symlinkTarget == null
        || xattrs == null) {
      throw new IllegalArgumentException("metadata needs kind, times, target and xattrs");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
    if (mode < 0 || mode > MAX_MODE) {
      throw new IllegalArgumentException("mode must be in 0..07777, got 0"
          + Integer.toOctalString(mode));
    }
    if ((kind == EntryKind.SYMLINK) != symlinkTarget.isPresent()) {
      throw new IllegalArgumentException("a symlink and only a symlink has a target");
    }
    if (rdev < 0 || rdev > 0xffff_ffffL || (rdev != 0 && !kind.isDevice())) {
      throw new IllegalArgumentException("device number " + rdev + " out of range or not on a"
          + " device");
    }
    if (kind.isSpecial() && size != 0) {
      throw new IllegalArgumentException("a " + kind + " has size 0");
    }
    xattrs = xattrs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs));
  }

  /** Metadata of a node that is not a device. */
  public NodeMetadata(EntryKind kind, long size, int mode, Instant mtime, Instant ctime,
      Optional<String> symlinkTarget, Map<String, byte[]> xattrs) {
    this(kind, size, mode, mtime, ctime, symlinkTarget, xattrs, 0);
  }

  /** Metadata of a file or directory without xattrs. */
  public static NodeMetadata of(EntryKind kind, long size, int mode, Instant mtime,
      Instant ctime) {
    return new NodeMetadata(kind, size, mode, mtime, ctime, Optional.empty(), Map.of());
  }

  /** Metadata of a symlink: its size is the target's length in UTF-8 bytes. */
  public static NodeMetadata symlink(String target, int mode, Instant mtime, Instant ctime) {
    return new NodeMetadata(EntryKind.SYMLINK, target.getBytes(StandardCharsets.UTF_8).length,
        mode, mtime, ctime, Optional.of(target), Map.of());
  }

  /** The same metadata with this device number. */
  public NodeMetadata withRdev(long newRdev) {
    return new NodeMetadata(kind, size, mode, mtime, ctime, symlinkTarget, xattrs, newRdev);
  }

  /** The same metadata with no user xattrs. */
  public NodeMetadata withoutXattrs() {
    return xattrs.isEmpty() ? this
        : new NodeMetadata(kind, size, mode, mtime, ctime, symlinkTarget, Map.of(), rdev);
  }

  /** The same metadata with these xattrs. */
  public NodeMetadata withXattrs(Map<String, byte[]> newXattrs) {
    return new NodeMetadata(kind, size, mode, mtime, ctime, symlinkTarget, newXattrs, rdev);
  }

  public NodeMetadata withSize(long newSize) {
    return new NodeMetadata(kind, newSize, mode, mtime, ctime, symlinkTarget, xattrs, rdev);
  }
}
